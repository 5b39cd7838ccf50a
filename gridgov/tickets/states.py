"""The ticket and assignment lifecycle as one declarative table."""

from dataclasses import dataclass

from django.db import models


class TicketState(models.TextChoices):
    RECEIVED = "received", "待派单"
    DISPATCHED = "dispatched", "待签收"
    SIGNED = "signed", "办理中"
    REPORTED = "reported", "待结案"
    CLOSED = "closed", "已结案"
    RETURNED = "returned", "已回退"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "已并单"


class AssignmentState(models.TextChoices):
    PENDING = "pending", "待签收"
    SIGNED = "signed", "办理中"
    REPORTED = "reported", "已反馈"
    RETURNED = "returned", "已回退"
    WITHDRAWN = "withdrawn", "已撤回"


S, A = TicketState, AssignmentState
DONE_STATES = frozenset({S.CLOSED, S.REJECTED, S.MERGED})
OPEN_ASSIGNMENT_STATES = frozenset({A.PENDING, A.SIGNED})
IN_HANDLING = frozenset({S.DISPATCHED, S.SIGNED, S.REPORTED})
# Sorted tuples, so a query's IN list matches a partial index's condition word for word.
NOT_DONE = tuple(sorted(s for s in S.values if s not in DONE_STATES))
OPEN_ASSIGNMENTS = tuple(sorted(OPEN_ASSIGNMENT_STATES))


@dataclass(frozen=True)
class Transition:
    """One row of the table: where a verb may start, where it leads, who may do it, what it needs."""

    verb: str
    label: str
    sources: frozenset
    target: str | None  # None: the ticket state does not change, or depends on the assignment's role
    permission: str
    required: tuple[str, ...] = ()
    assignment_sources: frozenset | None = None  # set for verbs that act on one assignment


def _t(verb, label, sources, target, permission, required=(), assignment_sources=None):
    return Transition(verb, label, frozenset(sources), target, permission, tuple(required),
                      frozenset(assignment_sources) if assignment_sources is not None else None)


TRANSITIONS: dict[str, Transition] = {t.verb: t for t in [
    _t("receive", "受理", {None}, S.RECEIVED, "ticket.receive", ("channel", "category", "title", "description")),
    _t("reject", "不予受理", {S.RECEIVED, S.RETURNED}, S.REJECTED, "ticket.reject", ("reason",)),
    _t("dispatch", "派单", {S.RECEIVED, S.RETURNED}, S.DISPATCHED, "ticket.dispatch", ("lead_unit",)),
    # A lead's sign/return/report moves the ticket; a support unit's only moves its assignment.
    _t("sign", "签收", IN_HANDLING, None, "ticket.sign", (), {A.PENDING}),
    _t("return", "回退", IN_HANDLING, None, "ticket.return", ("reason",), {A.PENDING}),
    _t("request_extension", "申请延期", IN_HANDLING, None, "ticket.request_extension", ("amount", "limit_unit", "reason"), {A.SIGNED}),
    _t("approve_extension", "批准延期", IN_HANDLING, None, "ticket.decide_extension", (), {A.SIGNED}),
    _t("deny_extension", "驳回延期", IN_HANDLING, None, "ticket.decide_extension", ("note",), {A.SIGNED}),
    _t("report", "办理反馈", IN_HANDLING, None, "ticket.report", ("result",), {A.SIGNED}),
    _t("close", "核查结案", {S.REPORTED}, S.CLOSED, "ticket.close"),
    _t("rework", "发回重办", {S.REPORTED}, S.SIGNED, "ticket.rework", ("reason",)),
    _t("merge", "并单", {S.RECEIVED, S.RETURNED, S.DISPATCHED, S.SIGNED}, S.MERGED, "ticket.merge", ("parent",)),
    _t("unmerge", "拆单", {S.MERGED}, S.RECEIVED, "ticket.merge"),
    _t("callback", "回访", {S.CLOSED}, S.CLOSED, "ticket.callback", ("method",)),
    _t("open_investigation", "发起调查", {S.CLOSED}, S.CLOSED, "investigation.open"),
    _t("conclude_investigation", "责任认定", {S.CLOSED}, S.CLOSED, "investigation.conclude", ("finding",)),
    _t("reopen", "重新启用", {S.CLOSED}, S.RECEIVED, "ticket.reopen", ("reason",)),
]}


def state_label(state: str | None) -> str:
    """Return the Chinese label of a ticket state."""
    return TicketState(state).label if state else "新建"


def allowed_verbs(state: str) -> list[str]:
    """Return the verbs whose source states include `state` (before permission and assignment checks)."""
    return [verb for verb, t in TRANSITIONS.items() if state in t.sources]


# Timeline verbs that are not state transitions: attachments, imports, 吹哨报到, alerts, 催办 and 督办.
OTHER_VERB_LABELS = {
    "attach": "附件", "import": "历史导入",
    "whistle": "吹哨", "whistle_checkin": "报到", "whistle_done": "协办反馈", "whistle_close": "结束吹哨",
    "warn": "即将超期预警", "overdue": "超期", "escalate": "超期升级", "urge": "催办", "supervise": "领导督办",
    "end_supervision": "结束督办",
}


def verb_label(verb: str) -> str:
    """The timeline's word for a verb (the verb itself for one nobody named)."""
    return TRANSITIONS[verb].label if verb in TRANSITIONS else OTHER_VERB_LABELS.get(verb, verb)
