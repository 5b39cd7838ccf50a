"""Channels as configured data: the standard set on every install, each with its numbering and its own time limits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gridgov.core.calendar import get_calendar
from gridgov.tickets import actions
from gridgov.tickets.deadlines import compute_deadline
from gridgov.tickets.models import Channel
from gridgov.tickets.numbering import check_format, format_number
from tests.conftest import MONDAY_10AM

STANDARD = ["h12345", "district_hotline", "mayor_mailbox", "head_mailbox", "patrol", "whistle", "online",
            "leifeng580", "forest_fire", "open311", "self_report"]


def test_number_formats():
    day = date(2026, 3, 2)
    assert format_number("{prefix}{date:%Y%m%d}{seq:05d}", "RX", day, 7) == "RX2026030200007"
    assert format_number("{prefix}-{date:%Y%m%d}-{seq:06d}", "SZ", day, 12) == "SZ-20260302-000012"
    with pytest.raises(ValueError, match="序号"):
        format_number("{prefix}{date:%Y%m%d}", "RX", day, 1)
    with pytest.raises(ValueError, match="无效"):
        format_number("{prefix}{when}{seq}", "RX", day, 1)
    with pytest.raises(ValueError, match="长度"):
        format_number("{prefix}" + "X" * 30 + "{seq}", "RX", day, 1)
    with pytest.raises(ValueError, match="无效"):
        format_number("{prefix}{date.foo}{seq}", "RX", day, 1)


@pytest.mark.parametrize("pattern", ["QZ-{date:%Y}-{seq:04d}", "{prefix}{date:%m%d}{seq}", "{date:%Y%m%d}{seq:05d}"])
def test_a_format_that_would_repeat_a_number_is_refused(pattern):
    with pytest.raises(ValueError, match="重复"):
        check_format(pattern)
    check_format("{prefix}{date:%Y%m%d}{seq:05d}")


@pytest.mark.django_db
def test_every_install_has_the_standard_channels():
    assert sorted(Channel.objects.values_list("code", flat=True)) == sorted(STANDARD)
    mailbox = Channel.objects.get(code="mayor_mailbox")
    assert (mailbox.handle_limit, mailbox.handle_limit_unit) == (Decimal(15), "work_days")


@pytest.mark.django_db
def test_a_channel_refuses_a_format_without_a_sequence_and_a_limit_without_its_unit():
    channel = Channel(code="letters", name="来信", prefix="LX", number_format="{prefix}{date:%Y%m%d}")
    with pytest.raises(ValidationError):
        channel.full_clean()
    channel = Channel(code="letters", name="来信", prefix="LX", handle_limit=Decimal(3))
    with pytest.raises(ValidationError):
        channel.full_clean()


def _dispatch(world, channel, now=MONDAY_10AM, category=None):
    t = actions.do_receive(world.operator, channel=channel, category=(category or world.cat_noise).code, title="来信",
                           description="内容", lon=0.5, lat=0.5, now=now)
    actions.do_dispatch(world.dispatcher, t.pk, lead_unit_id=world.unit_a.pk, now=now + timedelta(minutes=1))
    return t.assignments.get()


def test_a_channel_limit_applies_when_it_falls_due_first(world):
    cal, start = get_calendar(), MONDAY_10AM + timedelta(minutes=1)
    wages_rule = world.cat_wages.rules.order_by("-effective_from").first()
    # The list gives 拖欠工资 15 working days; the 网络问政 channel answers within 5: its deadline wins.
    online = _dispatch(world, "online", category=world.cat_wages)
    assert online.handle_deadline == compute_deadline(start, Decimal(5), "work_days", cal)
    assert online.handle_deadline < compute_deadline(start, wages_rule.handle_limit, wages_rule.handle_limit_unit, cal)
    # The 市长信箱's 15 working days come after the list's limit for 噪音扰民, so the list's stands.
    noise_rule = world.cat_noise.rules.order_by("-effective_from").first()
    mailbox = _dispatch(world, "mayor_mailbox", now=MONDAY_10AM + timedelta(hours=1))
    start = MONDAY_10AM + timedelta(hours=1, minutes=1)
    assert mailbox.handle_deadline == compute_deadline(start, noise_rule.handle_limit, noise_rule.handle_limit_unit, cal)
    # 林火预警 counts round the clock: signed within half an hour.
    fire = _dispatch(world, "forest_fire", now=MONDAY_10AM + timedelta(hours=2))
    assert fire.sign_deadline == MONDAY_10AM + timedelta(hours=2, minutes=31)


def test_each_channel_numbers_with_its_own_format(world):
    Channel.objects.filter(code="head_mailbox").update(number_format="{prefix}-{date:%Y%m%d}-{seq:04d}")
    t = actions.do_receive(world.operator, channel="head_mailbox", category=world.cat_noise.code, title="来信",
                           description="内容", now=MONDAY_10AM)
    assert t.number == "QZ-20260302-0001"
