"""Runs: inputs stored, results reproducible, re-runs supersede with a diff, publishing freezes, permissions."""

from decimal import Decimal

import pytest

from gridgov.assessment import runs
from gridgov.assessment.models import Run, RunResult, RuleSet
from gridgov.audit.models import AuditLog
from gridgov.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from tests import factories as f
from tests.assessment.conftest import receive

ZERO = "zero-complaint-quarterly"


def awards(run):
    return {r.object_key: r.award for r in run.results.all()}


def test_zero_complaint_run_awards_urban_and_rural_communities(world, one_ticket):
    run = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    assert run.state == Run.State.DRAFT and run.period_start.isoformat() == "2026-01-01"
    assert awards(run) == {"430104001001": Decimal("0.00"), "430104001002": Decimal("5000.00"),
                           "430104102001": Decimal("3000.00")}
    jinmao = run.results.get(object_key="430104001001")
    assert (jinmao.klass, jinmao.rank, jinmao.score) == ("有投诉", 3, Decimal("90.00"))
    # The inputs hold the rule snapshot and every value, so the run can be explained and reproduced.
    assert run.inputs["rule"]["spec"] == RuleSet.objects.get(code=ZERO).spec
    assert {o["key"]: o["values"] for o in run.inputs["objects"]}["430104001001"] == {"received@h12345": 1}
    assert run.summary["total_award"] == "8000.00"
    assert runs.verify(run)
    assert AuditLog.objects.filter(action="assessment.compute", object_id=str(run.pk)).exists()


def test_same_inputs_give_identical_results(world, one_ticket):
    first = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    second = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    assert first.inputs_digest == second.inputs_digest
    assert first.results_digest == second.results_digest
    assert second.diff == []


def test_rerun_after_a_correction_supersedes_the_draft_and_shows_the_difference(world, one_ticket):
    old = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    receive(world, lon=1.5, lat=0.5)  # a late-entered 12345 ticket in 桃花岭社区
    new = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    old.refresh_from_db()
    assert old.state == Run.State.SUPERSEDED and new.supersedes == old
    assert [(c["key"], c["fields"]["award"], c["fields"]["klass"]) for c in new.diff] == [
        ("430104001002", ["5000.00", "0.00"], ["零投诉", "有投诉"])]
    assert Run.objects.exclude(state=Run.State.SUPERSEDED).count() == 1


def test_publishing_freezes_the_run(world, one_ticket):
    run = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    runs.do_publish(world.admin, run)
    run.refresh_from_db()
    assert run.is_published and run.published_by == world.admin
    result = run.results.first()
    with pytest.raises(InvalidState):
        run.save()
    with pytest.raises(InvalidState):
        run.delete()
    with pytest.raises(InvalidState):
        result.award = Decimal("1.00")
        result.save()
    with pytest.raises(InvalidState):
        result.delete()
    with pytest.raises(InvalidState):
        RunResult.objects.filter(run=run).update(award=0)
    with pytest.raises(InvalidState):
        Run.objects.filter(pk=run.pk).delete()
    with pytest.raises(InvalidState, match="已发布，不能重新计算"):
        runs.do_assess(world.admin, ZERO, "2026-Q1")
    with pytest.raises(InvalidState):
        runs.do_publish(world.admin, run)
    assert runs.verify(run)


def test_a_superseded_run_cannot_be_published(world, one_ticket):
    old = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    with pytest.raises(InvalidState, match="取代"):
        runs.do_publish(world.admin, old)


def test_a_draft_computed_under_an_edited_rule_cannot_be_published(world, one_ticket):
    draft = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    rule = RuleSet.objects.get(code=ZERO)
    rule.spec = {**rule.spec, "tie_break": []}
    rule.save()
    with pytest.raises(InvalidState, match="规则已修改"):
        runs.do_publish(world.admin, draft)
    assert not Run.objects.get(pk=draft.pk).is_published


def test_publish_in_the_same_call(world, one_ticket):
    run = runs.do_assess(world.admin, ZERO, "2026-Q1", publish=True)
    assert run.is_published
    assert AuditLog.objects.filter(action="assessment.publish", object_id=str(run.pk)).exists()


def test_rule_used_by_a_published_run_cannot_change(world, one_ticket):
    runs.do_assess(world.admin, ZERO, "2026-Q1", publish=True)
    rule = RuleSet.objects.get(code=ZERO)
    rule.spec = {**rule.spec, "period_kind": "month"}
    with pytest.raises(InvalidState, match="新建一个版本"):
        rule.save()
    rule.refresh_from_db()
    rule.active = False  # switching a version off is still allowed
    rule.save()


def test_permissions(world, one_ticket):
    with pytest.raises(Forbidden):
        runs.do_assess(world.viewer, ZERO, "2026-Q1")
    with pytest.raises(Forbidden):
        runs.do_assess(world.handler_a, ZERO, "2026-Q1")
    run = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    with pytest.raises(Forbidden):
        runs.do_publish(world.dispatcher, run)
    with pytest.raises(Forbidden):
        runs.do_assess(world.dispatcher, ZERO, "2026-Q1", publish=True)
    assert Run.objects.get(pk=run.pk).state == Run.State.DRAFT


def test_unknown_rule_bad_period_and_wrong_period_kind(world):
    with pytest.raises(NotFound, match="考核规则不存在"):
        runs.do_assess(world.admin, "nope", "2026-Q1")
    with pytest.raises(InvalidInput, match="无法识别的统计期"):
        runs.do_assess(world.admin, ZERO, "2026-13")
    with pytest.raises(InvalidInput, match="季度考核"):
        runs.do_assess(world.admin, ZERO, "2026-03")
    assert not Run.objects.exists()


def test_new_version_is_used_from_its_effective_date(world, one_ticket):
    old = RuleSet.objects.get(code=ZERO)
    RuleSet.objects.create(code=ZERO, version=2, name=old.name, object_kind=old.object_kind,
                           effective_from="2026-04-01", spec={**old.spec, "awards": []})
    assert runs.resolve_rule_set(ZERO, runs.parse_period("2026-Q1")).version == 1
    assert runs.resolve_rule_set(ZERO, runs.parse_period("2026-Q2")).version == 2


def test_grid_leaders_are_assessed_on_the_area_they_lead(world, one_ticket):
    lead_a = f.UserFactory(username="wangli", display_name="王丽")
    f.GrantFactory(user=lead_a, role="grid_leader", area=world.grid_a1)
    lead_b = f.UserFactory(username="liqiang", display_name="李强")
    f.GrantFactory(user=lead_b, role="grid_leader", area=world.grid_b1)
    run = runs.do_assess(world.admin, "grid-leader-monthly", "2026-03")
    rows = {r.object_key: r for r in run.results.all()}
    assert set(rows) == {"wangli@430104001001001", "liqiang@430104102001001"}
    assert rows["wangli@430104001001001"].label == "王丽（金茂第1网格）"
    values = {o["key"]: o["values"] for o in run.inputs["objects"]}
    assert values["wangli@430104001001001"]["received"] == 1
    assert values["liqiang@430104102001001"]["received"] == 0
    # No unsatisfied tickets and no rates yet: both full marks, the one with fewer tickets first.
    assert [r.object_key for r in run.results.order_by("rank")] == ["liqiang@430104102001001", "wangli@430104001001001"]
    assert {r.klass for r in run.results.all()} <= {"一类", "二类", "三类"}


def test_departments_only(world, one_ticket):
    run = runs.do_assess(world.admin, "department-monthly", "2026-03")
    assert set(run.results.values_list("object_key", flat=True)) == {"cgj", "rsj"}


def test_grid_quota_larger_than_the_grids(world, one_ticket):
    run = runs.do_assess(world.admin, "grid3-quarterly", "2026-Q1")
    assert run.results.count() == 3
    assert set(run.results.values_list("klass", flat=True)) == {"优秀"}
