"""The demo's deadline story: an urgent ticket the demo handler's street let lapse — warned, urged, escalated."""

from datetime import timedelta

from gridgov.accounts.models import RoleGrant
from gridgov.alerts.scan import policy_from_settings, scan
from gridgov.alerts.thresholds import alert_times
from gridgov.areas.models import Area
from gridgov.core import clock
from gridgov.core.calendar import get_calendar
from gridgov.supervision.actions import do_urge
from gridgov.tickets import actions
from gridgov.units.models import Category, Urgency

DEMO_HANDLER, DISPATCHER, OPERATOR = "handler", "dispatcher", "operator"


def create_demo_overdue(now=None):
    """Receive an urgent ticket three days ago in the handler's street, let it lapse, and run the scan as the worker would."""
    now = now or clock.now()
    grant = RoleGrant.objects.select_related("user", "unit__area").get(user__username=DEMO_HANDLER, role="unit_handler")
    dispatcher = RoleGrant.objects.get(user__username=DISPATCHER, role="dispatcher").user
    operator = RoleGrant.objects.get(user__username=OPERATOR, role="hotline_operator").user
    street = grant.unit.area
    grid = Area.objects.filter(code__startswith=street.code, level=3).order_by("code").first()
    category = (Category.objects.filter(level=3, active=True, rules__handler="territorial").order_by("code").first())
    received = now - timedelta(days=3)
    ticket = actions.do_receive(
        operator, channel="h12345", category=category.code, title="小区地下车库进水，积水已漫过车道",
        description="来电反映小区地下车库进水，积水已漫过车道，车辆无法进出，请尽快抽排。", address=f"{grid.name}附近",
        reporter_area_code=grid.code, urgency="urgent", now=received)
    actions.do_dispatch(dispatcher, ticket.pk, lead_unit_id=grant.unit_id, now=received + timedelta(minutes=5))
    lead = ticket.assignments.get()
    actions.do_sign(grant.user, ticket.pk, assignment_id=lead.pk, now=received + timedelta(minutes=20))
    lead.refresh_from_db()
    # The worker's scans, each as it would have run at the time (only this story's assignment: the simulated year's
    # tickets are history, not news): a warning before the deadline, the lapse (automatic urge), the escalations.
    times = alert_times(lead.dispatched_at, lead.handle_deadline, get_calendar(), policy_from_settings(), 
                        clock_hours=ticket.urgency == Urgency.URGENT)
    story = [lead.pk]
    scan(now=lead.handle_deadline - timedelta(hours=2), assignment_ids=story)
    scan(now=lead.handle_deadline + timedelta(minutes=30), assignment_ids=story)
    do_urge(dispatcher, ticket.pk, assignment_id=lead.pk, message="车库积水影响出行，请今日内完成抽排并反馈",
            now=lead.handle_deadline + timedelta(hours=1))
    scan(now=times["escalate_leader"] + timedelta(minutes=1), assignment_ids=story)
    scan(now=times["escalate_centre"] + timedelta(minutes=1), assignment_ids=story)
    scan(now=now, assignment_ids=story)
    return ticket
