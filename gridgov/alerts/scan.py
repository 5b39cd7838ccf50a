"""The periodic deadline scan: 即将超期, 已超期 and escalation for every open assignment, each level exactly once."""

from __future__ import annotations

import logging
import os
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from gridgov.accounts.models import User
from gridgov.accounts.people import dispatchers_for, unit_staff
from gridgov.alerts.models import LEVELS, STAGES, AlertRecord
from gridgov.alerts.thresholds import LEVEL_ORDER, Policy, alert_times, due_levels
from gridgov.core import clock
from gridgov.core.calendar import get_calendar
from gridgov.notifications.api import notify
from gridgov.supervision.actions import record_urge
from gridgov.supervision.models import Urge
from gridgov.tickets.deadlines import compute_deadline
from gridgov.tickets.models import Assignment, Ticket
from gridgov.tickets.states import DONE_STATES, OPEN_ASSIGNMENTS, AssignmentState
from gridgov.tickets.timeline import append_event
from gridgov.units.models import Urgency

log = logging.getLogger(__name__)
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
VERBS = {"warn": "warn", "overdue": "overdue", "escalate_leader": "escalate", "escalate_centre": "escalate"}
KIND = {"warn": "warning", "overdue": "overdue", "escalate_leader": "escalated", "escalate_centre": "escalated"}


def _setting(name: str, default):
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "")
    if value in (None, ""):
        return default
    return float(value)


def policy_from_settings() -> Policy:
    """The alert policy: GRIDGOV_WARN_SHARE, GRIDGOV_WARN_WORK_HOURS, GRIDGOV_ESCALATE_LEADER_AFTER / _CENTRE_AFTER (hours)."""
    return Policy(warn_share=_setting("GRIDGOV_WARN_SHARE", 0.2), warn_work_hours=_setting("GRIDGOV_WARN_WORK_HOURS", None),
                  leader_after=_setting("GRIDGOV_ESCALATE_LEADER_AFTER", 4.0),
                  centre_after=_setting("GRIDGOV_ESCALATE_CENTRE_AFTER", 7.0))


def _stages(a: Assignment) -> list[tuple[str, object]]:
    """The deadlines an assignment still has to meet: signing while pending, and handling."""
    stages = [("sign", a.sign_deadline)] if a.state == AssignmentState.PENDING else []
    return stages + [("handle", a.handle_deadline)]


def recipients(a: Assignment, level: str) -> list[User]:
    """Who hears of a level: the unit's handlers always, its leaders from the first escalation, the centre's dispatchers last."""
    people = unit_staff([a.unit_id], roles=("unit_handler",))
    if level in ("escalate_leader", "escalate_centre"):
        people += unit_staff([a.unit_id], roles=("unit_leader",))
    if level == "escalate_centre":
        people += dispatchers_for(a.ticket.area_id)
    return list({u.pk: u for u in people}.values())


def _message(a: Assignment, stage: str, level: str, deadline) -> tuple[str, str]:
    t = a.ticket
    when = deadline.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    what = f"{STAGES[stage]}时限 {when}"
    texts = {
        "warn": f"{a.unit.name}承办的工单{t.number}即将超期（{what}），请抓紧办理。",
        "overdue": f"{a.unit.name}承办的工单{t.number}已超过{what}，请立即办理。",
        "escalate_leader": f"{a.unit.name}承办的工单{t.number}已超过{what}仍未完成，已升级至单位领导督促办理。",
        "escalate_centre": f"{a.unit.name}承办的工单{t.number}已超过{what}仍未完成，已升级至区网格化中心。",
    }
    return f"【{LEVELS[level]}】{t.number} {t.category.name}", texts[level]  # never the title: it names the citizen


def _act(assignment_id: int, stage: str, deadline, levels: list[str], now, policy: Policy) -> list[str]:
    """Record the missing levels of one assignment's deadline under the ticket's lock and announce the highest; returns it.

    Levels found missing together (first install, a worker outage, the demo) are not all news now: the older ones are
    recorded silently (notified=0, no timeline event, no notification) and only the highest level reached is announced.
    """
    with transaction.atomic():
        a = Assignment.objects.select_related("unit").get(pk=assignment_id)
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("area", "category").get(pk=a.ticket_id)
        a = Assignment.objects.select_related("unit").get(pk=assignment_id)  # re-read: a sign or extension may have won the race
        a.ticket = ticket
        current = dict(_stages(a)).get(stage)
        if a.state not in OPEN_ASSIGNMENTS or current != deadline or ticket.state in DONE_STATES:
            return []
        have = set(AlertRecord.objects.filter(assignment=a, stage=stage, deadline=deadline).values_list("level", flat=True))
        missing = [level for level in levels if level not in have]
        if not missing:
            return []
        calendar = get_calendar()
        times = alert_times(a.dispatched_at, deadline, calendar, policy, clock_hours=ticket.urgency == Urgency.URGENT)
        *older, level = sorted(missing, key=LEVEL_ORDER.index)
        for old in older:
            AlertRecord.objects.create(assignment=a, stage=stage, level=old, deadline=deadline, due_at=times[old],
                                       created_at=now)
        people = recipients(a, level)
        title, body = _message(a, stage, level, deadline)
        AlertRecord.objects.create(assignment=a, stage=stage, level=level, deadline=deadline, due_at=times[level],
                                   created_at=now, notified=len(people))
        append_event(ticket, None, now, VERBS[level], body, level=level, stage=stage, assignment=a.pk,
                     unit=a.unit.name, deadline=deadline.isoformat(), notified=[u.pk for u in people])
        # Urgent tickets run round the clock, so their alerts ignore quiet hours.
        notify(people, KIND[level], title, body, ticket=ticket, urgent=ticket.urgency == Urgency.URGENT, now=now)
        if level == "overdue" and compute_deadline(deadline, 1, "work_days", calendar) > now:
            # 12345 rules: the day a deadline lapses the unit is urged; it counts in 催办次数 like a hand urge. Found
            # later than that it is history, not an urge. The 已超期 notice above already tells the unit.
            record_urge(ticket, a, None, now, f"{title}，请立即办理", source=Urge.Source.AUTO, notify=False)
    return [level]


def scan(now=None, assignment_ids=None) -> dict[str, int]:
    """Act on every open assignment's reached levels once; running it twice (or in two workers) changes nothing more.

    `assignment_ids`, if given, limits the scan to those assignments (the demo scans only its story).
    """
    now = now or clock.now()
    policy = policy_from_settings()
    calendar = get_calendar()
    open_assignments = (Assignment.objects.filter(state__in=OPEN_ASSIGNMENTS, dispatched_at__lte=now)
                        .exclude(ticket__state__in=list(DONE_STATES))
                        .select_related("ticket").only("id", "state", "dispatched_at", "sign_deadline", "handle_deadline",
                                                       "ticket__urgency", "ticket__state"))
    records = AlertRecord.objects.filter(assignment__state__in=OPEN_ASSIGNMENTS)
    if assignment_ids is not None:
        open_assignments = open_assignments.filter(pk__in=list(assignment_ids))
        records = records.filter(assignment_id__in=list(assignment_ids))
    recorded: dict[tuple, set] = {}
    for aid, stage, level, deadline in records.values_list("assignment_id", "stage", "level", "deadline"):
        recorded.setdefault((aid, stage, deadline), set()).add(level)
    counts = {level: 0 for level in LEVEL_ORDER}
    for a in open_assignments.iterator(chunk_size=2000):
        for stage, deadline in _stages(a):
            have = recorded.get((a.pk, stage, deadline), set())
            if len(have) == len(LEVEL_ORDER):
                continue
            try:
                times = alert_times(a.dispatched_at, deadline, calendar, policy,
                                    clock_hours=a.ticket.urgency == Urgency.URGENT)
                missing = [level for level in due_levels(times, now) if level not in have]
                if not missing:
                    continue
                acted = _act(a.pk, stage, deadline, missing, now, policy)
            except Exception:  # noqa: BLE001 - one bad row must not stop the scan of the others; the next scan retries it
                log.exception("超期扫描：交办记录 %s 处理失败", a.pk)
                continue
            for level in acted:
                counts[level] += 1
    return counts
