"""The daily 督办 digest: each responsible unit's leader gets one notification a day listing their supervised tickets."""

from django.db import transaction

from gridgov.accounts.people import responsible_unit_ids, unit_staff
from gridgov.core import clock
from gridgov.notifications.api import notify
from gridgov.supervision.models import DigestRun, Supervision
from gridgov.tickets.states import DONE_STATES


def _line(sup: Supervision, today) -> str:
    t = sup.ticket
    late = "（已逾期）" if sup.due_date < today else ""
    return f"{t.number} {t.category.name}：要求{sup.due_date:%Y-%m-%d}前办结{late}，当前{t.get_state_display()}"


def send_daily_digests(now=None) -> int:
    """Send today's digests; a leader already sent one today (a DigestRun row) is skipped, so running twice sends nothing more.

    Returns the number of digests sent.
    """
    now = now or clock.now()
    today = clock.local_date(now)
    sups = list(Supervision.objects.filter(ended_at__isnull=True).exclude(ticket__state__in=DONE_STATES)
                .select_related("ticket__category").order_by("due_date", "ticket__number"))
    units_of = responsible_unit_ids(s.ticket_id for s in sups)
    per_leader: dict[int, tuple] = {}
    for sup in sups:
        for leader in unit_staff(units_of.get(sup.ticket_id, ()), roles=("unit_leader",)):
            per_leader.setdefault(leader.pk, (leader, []))[1].append(sup)
    sent = 0
    for leader, mine in per_leader.values():
        with transaction.atomic():
            # The unique (user, day) row is the job's memory: created here or by an earlier (or concurrent) run.
            _run, created = DigestRun.objects.get_or_create(
                user=leader, day=today, defaults={"sent_at": now, "tickets": [s.ticket_id for s in mine]})
            if not created:
                continue
            overdue = sum(1 for s in mine if s.due_date < today)
            title = f"督办日报（{today:%m月%d日}）：{len(mine)}件督办工单" + (f"，{overdue}件已逾期" if overdue else "")
            notify(leader, "digest", title, "\n".join(_line(s, today) for s in mine), now=now)
            sent += 1
    return sent
