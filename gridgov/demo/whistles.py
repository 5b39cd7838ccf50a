"""The demo's 吹哨报到: whistles on recent open tickets (the whistle channel's first), checked in on time, late or not yet."""

import random
from datetime import timedelta

from gridgov.accounts.models import User
from gridgov.tickets.models import Ticket
from gridgov.tickets.states import NOT_DONE
from gridgov.units.models import Unit
from gridgov.whistles import actions

MAX_WHISTLES = 12
REASONS = ("多部门职责交叉，需现场联合处置", "涉及占道经营与市容环境，需城管、市场监管到场", "反复投诉未解决，吹哨召集相关部门")


def create_demo_whistles(seed: int) -> int:
    """Blow on recent open whistle-channel tickets; departments check in on time, late, or not yet."""
    rng = random.Random(seed)
    dispatcher = User.objects.get(username="dispatcher")
    departments = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, active=True).values_list("pk", flat=True))
    handlers = {u.grants.first().unit_id: u for u in User.objects.filter(username__startswith="u-", grants__unit__kind="department")}
    # The whistle channel's own open tickets first, then other recent open matters a street would blow on.
    open_tickets = Ticket.objects.filter(state__in=NOT_DONE).exclude(area=None)
    own = list(open_tickets.filter(channel_id="whistle").order_by("-received_at")[:MAX_WHISTLES])
    others = open_tickets.exclude(channel_id="whistle").order_by("-received_at")[:MAX_WHISTLES - len(own)]
    tickets = own + list(others)
    made = 0
    for ticket in tickets:
        units = rng.sample(departments, 2)
        blown_at = ticket.received_at + timedelta(minutes=rng.randint(20, 90))
        whistle = actions.do_blow(dispatcher, ticket.pk, unit_ids=units, reason=rng.choice(REASONS), now=blown_at)
        for summons, lateness in zip(whistle.summons.order_by("pk"), rng.sample([0.5, 1.5, 6, None], 2)):
            if lateness is not None and summons.unit_id in handlers:
                actions.do_check_in(handlers[summons.unit_id], summons.pk, note="已到场对接",
                                    now=blown_at + timedelta(hours=lateness))
        made += 1
    return made
