"""The fixed permission catalogue and the roles that bundle it; anything not listed is denied."""

PERMISSIONS: dict[str, str] = {
    "ticket.view": "查看工单",
    "ticket.receive": "受理/登记工单",
    "ticket.reject": "不予受理",
    "ticket.dispatch": "派单",
    "ticket.sign": "签收",
    "ticket.return": "回退",
    "ticket.request_extension": "申请延期",
    "ticket.decide_extension": "审核延期",
    "ticket.report": "办理反馈",
    "ticket.close": "核查结案",
    "ticket.rework": "发回重办",
    "ticket.merge": "并单/拆单",
    "ticket.reopen": "重新启用",
    "ticket.callback": "回访",
    "investigation.open": "发起调查",
    "investigation.conclude": "责任认定",
    "pii.view": "查看个人信息",
    "masterdata.edit": "维护基础数据",
    "assessment.view": "查看考核结果",
    "assessment.run": "计算考核",
    "assessment.publish": "发布考核结果",
    "assessment.pay": "登记奖励拨付",
    "figures.view": "查看数据看板",
    "selfeval.view": "查看绩效自评",
    "selfeval.edit": "编制绩效自评",
    "whistle.blow": "吹哨",
    "whistle.checkin": "报到",
    "ticket.urge": "催办",
    "ticket.supervise": "督办",
}

# 数据看板/大屏: the centre, leaders and area-scoped grid staff read figures of their own scope.
_FIGURES = "figures.view"
# 吹哨报到: one unit role serves streets and departments alike, so whistles.access decides by the unit's kind
# (a territorial unit blows, the summoned department checks in).
_HANDLING = {"ticket.view", "ticket.sign", "ticket.return", "ticket.request_extension", "ticket.report", "pii.view",
             "whistle.blow", "whistle.checkin"}

ROLES: dict[str, tuple[str, frozenset[str]]] = {
    "hotline_operator": ("话务员", frozenset({"ticket.view", "ticket.receive", "ticket.reject", "ticket.callback", "pii.view", _FIGURES})),
    "dispatcher": ("派单员", frozenset({
        "ticket.view", "ticket.receive", "ticket.reject", "ticket.dispatch", "ticket.decide_extension",
        "ticket.close", "ticket.rework", "ticket.merge", "ticket.reopen", "ticket.callback", "pii.view",
        "assessment.view", "assessment.run", "whistle.blow", "whistle.checkin", "ticket.urge", "ticket.supervise", _FIGURES,
    })),
    "unit_handler": ("单位经办人", frozenset(_HANDLING)),
    "unit_leader": ("单位负责人", frozenset(_HANDLING | {_FIGURES})),
    "grid_leader": ("网格长", frozenset({"ticket.view", "ticket.receive", "whistle.blow", _FIGURES})),
    "grid_worker": ("网格员", frozenset({"ticket.view", "ticket.receive", _FIGURES})),
    "grid_instructor": ("网格指导员", frozenset({"ticket.view", _FIGURES})),
    "investigator": ("常调队员", frozenset({"ticket.view", "investigation.open", "investigation.conclude", "pii.view", _FIGURES})),
    "leadership_viewer": ("领导查阅", frozenset({"ticket.view", "assessment.view", "selfeval.view", "ticket.supervise", _FIGURES})),
    "finance_officer": ("财务人员", frozenset({"selfeval.view", "selfeval.edit", _FIGURES})),
    # Accounts of other systems (Open311 clients, the city 12345 platform): they register tickets and nothing else.
    "intake_system": ("系统接入", frozenset({"ticket.receive"})),
    "admin": ("系统管理员", frozenset(PERMISSIONS)),
}

ROLE_CHOICES = [(code, label) for code, (label, _perms) in ROLES.items()]
# Roles whose grant is scoped to a unit rather than an area subtree.
UNIT_ROLES = frozenset({"unit_handler", "unit_leader"})


def role_permissions(role: str) -> frozenset[str]:
    """Return the permissions a role carries (none for an unknown role)."""
    return ROLES.get(role, ("", frozenset()))[1]
