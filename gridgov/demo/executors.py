"""Two ways to run the same ticket plans: through the `do_*` actions, or in memory with bulk inserts."""

from collections import defaultdict

from django.db import transaction

from gridgov.accounts.models import User
from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.core.calendar import get_calendar
from gridgov.core.errors import DomainError
from gridgov.metrics import cube, facts
from gridgov.metrics.periods import Period
from gridgov.tickets import actions, lifecycle
from gridgov.tickets.models import Assignment, Channel, Extension, NumberSequence, Ticket, TimelineEvent
from gridgov.tickets.numbering import format_number
from gridgov.tickets.routing_context import routing_inputs, suggest
from gridgov.units.models import Category, ResponsibilityRule
from gridgov.units.responsibility import rule_in_force

# Lifecycle functions for the verbs whose only extra inputs are the step's arguments.
_TICKET_VERBS = {"reject": lifecycle.reject, "dispatch": lifecycle.dispatch, "close": lifecycle.close,
                 "rework": lifecycle.rework, "callback": lifecycle.callback, "open_investigation": lifecycle.open_investigation,
                 "reopen": lifecycle.reopen, "unmerge": lifecycle.unmerge}
_ASSIGNMENT_VERBS = {"sign": lifecycle.sign, "return": lifecycle.return_, "report": lifecycle.report,
                     "request_extension": lifecycle.request_extension}


def _pick_assignment(assignments, ref: str):
    """Resolve "lead" / "supportN" to the current round's assignment."""
    current = [a for a in assignments if a.round == max(x.round for x in assignments)]
    if ref == "lead":
        return next(a for a in current if a.role == Assignment.Role.LEAD)
    return [a for a in current if a.role == Assignment.Role.SUPPORT][int(ref[len("support"):])]


class _Users:
    def __init__(self):
        self.ids = dict(User.objects.values_list("username", "pk"))
        self.objects = {}

    def get(self, username):
        if username not in self.objects:
            self.objects[username] = User.objects.get(username=username)
        return self.objects[username]


class ActionExecutor:
    """Run plans step by step through the `do_*` actions, each in its own transaction, with permission checks."""

    def __init__(self):
        self.users = _Users()
        self.refused = 0

    def run(self, plans, progress=None) -> None:
        tickets: list[Ticket | None] = []
        for plan in plans:
            ticket = actions.do_receive(self.users.get(plan.actor), now=plan.received_at, **plan.intake)
            tickets.append(ticket)
            for step in plan.steps:
                try:
                    self._step(ticket, step, tickets[plan.parent_index] if plan.parent_index is not None else None)
                except DomainError:
                    self.refused += 1
                    break  # the story stops where the platform refused it, in both executors
            if progress:
                progress(1)

    def _step(self, ticket: Ticket, step, parent) -> None:
        actor, kw = self.users.get(step.actor), dict(step.args)
        if step.ref in ("lead",) or (step.ref or "").startswith("support"):
            kw["assignment_id"] = _pick_assignment(list(ticket.assignments.all()), step.ref).pk
        elif step.ref == "ext":
            kw["extension_id"] = Extension.objects.filter(assignment__ticket=ticket).latest("pk").pk
        elif step.ref == "inv":
            kw["investigation_id"] = ticket.investigations.latest("pk").pk
        if step.verb == "merge":
            kw["parent_id"] = parent.pk
        getattr(actions, f"do_{step.verb}")(actor, ticket.pk, now=step.at, **kw)


class BulkExecutor:
    """Run plans through the lifecycle functions in memory and save all rows with bulk inserts."""

    batch = 2000

    def __init__(self):
        self.users = _Users()
        self.refused = 0
        self.calendar = get_calendar()
        self.inputs = routing_inputs()
        self.channels = {c.code: c for c in Channel.objects.all()}
        self.categories = {c.code: c for c in Category.objects.select_related("parent__parent")}
        self.rules = list(ResponsibilityRule.objects.select_related("category", "department"))
        self.counters = defaultdict(int, {(s.channel_id, s.day): s.last for s in NumberSequence.objects.all()})

    def _ctx(self, username, at):
        return lifecycle.Context(actor_id=self.users.ids[username], now=at, calendar=self.calendar)

    def _receive(self, plan) -> lifecycle.Case:
        data = dict(plan.intake)
        ctx = self._ctx(plan.actor, plan.received_at)
        channel, category = self.channels[data.pop("channel")], self.categories[data.pop("category")]
        rule = rule_in_force(category, ctx.now, self.rules)
        route = suggest(rule, lon=data["lon"], lat=data["lat"], address=data["address"], inputs=self.inputs)
        ticket = lifecycle.new_ticket(ctx, channel=channel, category=category, rule=rule, route=route, **data)
        day = clock.local_date(ctx.now)
        self.counters[(channel.code, day)] += 1
        ticket.number = format_number(channel.number_format, channel.prefix, day, self.counters[(channel.code, day)])
        return lifecycle.receive(ctx, ticket)

    def _step(self, case: lifecycle.Case, step, parent_case) -> None:
        ctx, kw = self._ctx(step.actor, step.at), dict(step.args)
        if step.verb in _ASSIGNMENT_VERBS:
            _ASSIGNMENT_VERBS[step.verb](case, ctx, _pick_assignment(case.assignments, step.ref), **kw)
        elif step.verb in ("approve_extension", "deny_extension"):
            getattr(lifecycle, step.verb)(case, ctx, case.extensions[-1], **kw)
        elif step.verb == "conclude_investigation":
            lifecycle.conclude_investigation(case, ctx, case.investigations[-1], **kw)
        elif step.verb == "merge":
            lifecycle.merge(case, ctx, parent=parent_case.ticket, **kw)
        else:
            _TICKET_VERBS[step.verb](case, ctx, **kw)

    def run(self, plans, progress=None) -> None:
        cases: list[lifecycle.Case] = []
        for plan in plans:
            case = self._receive(plan)
            for step in plan.steps:
                try:
                    self._step(case, step, cases[plan.parent_index] if plan.parent_index is not None else None)
                except DomainError:
                    self.refused += 1
                    break
            cases.append(case)
            if progress:
                progress(1)
        self.save(cases)

    def save(self, cases) -> None:
        """Insert every case's rows in dependency order, in one transaction."""
        new = defaultdict(list)
        for case in cases:
            for obj in case.new:
                new[type(obj)].append(obj)
        with transaction.atomic():
            children = [(t, t.parent) for t in new[Ticket] if t.parent is not None]
            for t, _parent in children:
                t.parent = None  # set again once the parents have ids
            Ticket.objects.bulk_create(new[Ticket], batch_size=self.batch)
            for t, parent in children:
                t.parent = parent
            children = [t for t, _parent in children]
            Ticket.objects.bulk_update(children, ["parent"], batch_size=self.batch)
            for model in (Assignment, Extension, Callback, Investigation, TimelineEvent):
                model.objects.bulk_create(new[model], batch_size=self.batch)
            for (channel, day), last in self.counters.items():
                NumberSequence.objects.update_or_create(channel_id=channel, day=day, defaults={"last": last})
            # Bulk rows bypass the actions, so the stored figures are recounted from them instead.
            for month in sorted({facts.month_of(t.received_at) for t in new[Ticket]}):
                cube.rebuild(Period.month(month.year, month.month))
