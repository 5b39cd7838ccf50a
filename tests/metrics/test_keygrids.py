"""重点网格清单: ranking rule (pure), proposal with the difference from the current list, adoption, CLI."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from gridgov.areas.models import Area
from gridgov.audit.models import AuditLog
from gridgov.core.errors import InvalidInput
from gridgov.metrics import keygrids
from gridgov.tickets import actions


def test_quota_is_top_n_or_a_share_rounded_up():
    assert keygrids.quota_of(725, top=355) == 355
    assert keygrids.quota_of(10, top=50) == 10
    assert keygrids.quota_of(725, percent=Decimal("10")) == 73
    for bad in ({}, {"top": 0}, {"percent": Decimal(0)}, {"percent": Decimal(101)}, {"top": 3, "percent": Decimal(5)}):
        with pytest.raises(InvalidInput):
            keygrids.quota_of(10, **bad)


def test_ties_at_the_cut_are_all_listed_and_empty_grids_never():
    rows = [("c", "C", 5, False), ("a", "A", 9, True), ("b", "B", 5, False), ("d", "D", 1, True), ("e", "E", 0, False)]
    ranked = keygrids.rank(rows, quota=2)
    assert [(r.code, r.rank, r.proposed) for r in ranked] == [
        ("a", 1, True), ("b", 2, True), ("c", 2, True), ("d", 4, False), ("e", 5, False)]
    assert not keygrids.rank([("x", "X", 0, False)], quota=1)[0].proposed


@pytest.fixture
def last_year(world):
    """Three tickets in grid_a1 in 2025, none elsewhere; grid_b1 is on the current list."""
    Area.objects.filter(pk=world.grid_b1.pk).update(key_grid=True)
    for day in (3, 4, 5):
        actions.do_receive(world.operator, channel="h12345", category=world.cat_noise.code, title="噪音", description="噪音",
                           lon=0.5, lat=0.5, now=datetime(2025, 6, day, 2, tzinfo=timezone.utc))
    return world


def test_proposal_shows_the_difference_and_apply_adopts_it(last_year):
    w = last_year
    proposal = keygrids.propose(2025, top=1)
    assert [r.code for r in proposal.added] == [w.grid_a1.code]
    assert [r.code for r in proposal.removed] == [w.grid_b1.code]
    assert proposal.ranking[0].tickets == 3
    assert keygrids.apply(w.admin, proposal) == 2
    assert set(Area.objects.filter(key_grid=True).values_list("code", flat=True)) == {w.grid_a1.code}
    assert AuditLog.objects.filter(action="area.key_grid").count() == 2
    assert keygrids.propose(2025, top=1).added == []


def test_command_lists_and_refuses_bad_input(last_year, capsys):
    call_command("keygrids", "--year", "2025", "--top", "1")
    out = capsys.readouterr().out
    assert "新增 1" in out and "移出 1" in out and "受理量从高到低" in out
    assert Area.objects.get(pk=last_year.grid_b1.pk).key_grid  # not applied without --apply
    with pytest.raises(CommandError, match="比例"):
        call_command("keygrids", "--year", "2025", "--percent", "0")
