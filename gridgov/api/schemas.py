"""Request and response schemas of the REST API, shared by the routers."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, PlainSerializer

from gridgov.callbacks.models import Callback, Investigation
from gridgov.core.clock import LOCAL_TZ
from gridgov.tickets.deadlines import LIMIT_UNITS
from gridgov.tickets.models import Urgency
from gridgov.tickets.states import AssignmentState, TicketState
from gridgov.units.models import ResponsibilityRule, Unit

# Both SQLite and PostgreSQL store ids as signed 64-bit integers; a larger number would crash the driver.
MAX_ID = 2**63 - 1
MAX_LIMIT = 500


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and no database can store a lone surrogate; refuse both here, not with a 500.
    if "\x00" in value:
        raise ValueError("不能包含空字符")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("包含无效的字符") from None
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads like a type in annotations
    """A string that the database can store, at most `max_length` characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean_text)]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Coordinate = Annotated[float, Field(allow_inf_nan=False)]
Code = Text(30, min_length=1)
# Shown in Asia/Shanghai with the offset, as users read times; the instant is the same as stored.
LocalDateTime = Annotated[datetime, PlainSerializer(lambda d: d.astimezone(LOCAL_TZ), return_type=datetime)]


class InputSchema(Schema):
    """Base of request bodies: unknown keys are refused so a misspelt field is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- errors and pages


class ErrorBody(Schema):
    code: str = Field(description="稳定的错误代码：not_found、forbidden、invalid_state、invalid_input、unauthenticated …")
    message: str = Field(description="中文错误说明")
    details: dict = Field(default_factory=dict)


class ErrorOut(Schema):
    """Every error has this shape."""

    error: ErrorBody


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_ID, description="跳过的条数")


# ---------------------------------------------------------------- references


class UnitRef(Schema):
    id: int
    name: str


class AreaRef(Schema):
    code: str
    name: str


class CodeName(Schema):
    code: str
    name: str


# ---------------------------------------------------------------- tickets: input


class TicketIn(InputSchema):
    """受理登记一张工单。"""

    channel: Code = Field(description="渠道编码，如 h12345")
    category: Text(20, min_length=1) = Field(description="事项分类编码（末级分类）")
    title: Text(200)
    description: Text(10000)
    address: Text(200) = ""
    lon: Coordinate | None = Field(None, description="经度（WGS84）")
    lat: Coordinate | None = Field(None, description="纬度（WGS84）")
    citizen_name: Text(50) = ""
    citizen_phone: Text(20) = ""
    urgency: Literal[tuple(Urgency.values)] | None = Field(None, description="为空时取责任清单的默认紧急程度")
    external_id: Text(64) | None = Field(None, description="外部系统编号（同一渠道内唯一，用于幂等）")
    reporter_area_code: Text(18) | None = Field(None, description="上报人所属网格编码（无坐标和地址时用于定位）")


class TicketFilters(Schema):
    state: list[TicketState] = Field(default_factory=list, description="状态，可重复传多个")
    channel: Code | None = None
    category: Text(20, min_length=1) | None = Field(None, description="事项分类编码，含下级分类")
    area: Text(18, min_length=1) | None = Field(None, description="区域/网格编码，含下级网格")
    unit: Id | None = Field(None, description="曾交办给该单位（单位 id）")
    received_from: date | None = Field(None, ge=date(1900, 1, 1), le=date(2999, 12, 31), description="受理日期起（北京时间，含）")
    received_to: date | None = Field(None, ge=date(1900, 1, 1), le=date(2999, 12, 31), description="受理日期止（北京时间，含）")
    q: Text(100, min_length=1) | None = Field(None, description="工单编号、标题或内容关键词；有权查看个人信息时也可按联系电话精确查找")
    overdue: bool | None = Field(None, description="true：已超期（含超期办结）；false：未超期")
    ordering: Literal["received_at", "-received_at", "handle_deadline", "-handle_deadline", "number", "-number"] = "-received_at"


Reason = Text(300)
Note = Text(300)


class RejectIn(InputSchema):
    reason: Reason


class DispatchIn(InputSchema):
    lead_unit_id: Id
    support_unit_ids: list[Id] = Field(default_factory=list, max_length=50)
    note: Note = ""


class SignIn(InputSchema):
    assignment_id: Id


class ReturnIn(InputSchema):
    assignment_id: Id
    reason: Reason


class RequestExtensionIn(InputSchema):
    assignment_id: Id
    amount: Annotated[Decimal, Field(max_digits=6, decimal_places=2)] = Field(description="延期时长")
    limit_unit: Literal[LIMIT_UNITS] = Field(description="hours 小时 / work_hours 工作小时 / work_days 工作日")
    reason: Reason


class ApproveExtensionIn(InputSchema):
    extension_id: Id
    note: Note = ""


class DenyExtensionIn(InputSchema):
    extension_id: Id
    note: Note = Field(description="驳回意见")


class ReportIn(InputSchema):
    assignment_id: Id
    result: Text(10000) = Field(description="办理结果")


class CloseIn(InputSchema):
    note: Note = ""


class ReworkIn(InputSchema):
    reason: Reason


class MergeIn(InputSchema):
    parent_id: Id = Field(description="并入的主单 id")
    note: Note = ""


class UnmergeIn(InputSchema):
    note: Note = ""


class CallbackIn(InputSchema):
    method: Literal[tuple(Callback.Method.values)]
    answered: bool = Field(True, description="是否接通/有效回访")
    satisfaction: Literal[("",) + tuple(Callback.Satisfaction.values)] = Field("", description="有效回访必填")
    resolved: bool | None = None
    note: Text(2000) = ""


class OpenInvestigationIn(InputSchema):
    note: Text(2000) = ""


class ConcludeInvestigationIn(InputSchema):
    investigation_id: Id
    finding: Literal[tuple(Investigation.Finding.values)]
    responsible_unit_id: Id | None = Field(None, description="认定有责时必填")
    deduction_points: Annotated[Decimal, Field(max_digits=6, decimal_places=2)] = Field(Decimal(0), description="扣分（0–100）")
    note: Text(2000) = ""


class ReopenIn(InputSchema):
    reason: Reason


# ---------------------------------------------------------------- tickets: output


class TicketListItem(Schema):
    id: int
    number: str
    channel: CodeName
    category: CodeName
    title: str
    state: TicketState
    state_label: str
    urgency: str
    area: AreaRef | None
    received_at: LocalDateTime
    handle_deadline: LocalDateTime | None
    closed_at: LocalDateTime | None
    overdue: bool


class TicketPage(Schema):
    count: int
    items: list[TicketListItem]


class AssignmentOut(Schema):
    id: int
    unit: UnitRef
    role: Literal["lead", "support"]
    role_label: str
    round: int
    current: bool = Field(description="是否为当前派单轮次")
    state: AssignmentState
    state_label: str
    dispatched_at: LocalDateTime
    sign_deadline: LocalDateTime
    signed_at: LocalDateTime | None
    handle_deadline: LocalDateTime
    reported_at: LocalDateTime | None
    returned_at: LocalDateTime | None
    result: str
    return_reason: str
    rework_count: int


class ExtensionOut(Schema):
    id: int
    assignment_id: int
    requested_at: LocalDateTime
    requested_by: str
    amount: Decimal
    limit_unit: str
    reason: str
    state: str
    state_label: str
    decided_at: LocalDateTime | None
    decided_by: str
    decision_note: str
    old_deadline: LocalDateTime
    new_deadline: LocalDateTime | None


class CallbackOut(Schema):
    id: int
    at: LocalDateTime
    by: str
    method: str
    answered: bool
    satisfaction: str
    satisfaction_label: str
    resolved: bool | None
    note: str


class InvestigationOut(Schema):
    id: int
    state: str
    state_label: str
    opened_at: LocalDateTime
    opened_by: str
    finding: str
    finding_label: str
    responsible_unit: UnitRef | None
    deduction_points: Decimal
    concluded_at: LocalDateTime | None
    note: str


class EventOut(Schema):
    seq: int
    at: LocalDateTime
    actor: str = Field(description="操作人姓名；系统操作为“系统”")
    verb: str
    verb_label: str
    from_state: str
    to_state: str
    assignment_id: int | None
    note: str


class AllowedAction(Schema):
    verb: str
    label: str
    assignment_id: int | None = None
    extension_id: int | None = None
    investigation_id: int | None = None


class TicketRef(Schema):
    id: int
    number: str


class TicketDetail(Schema):
    id: int
    number: str
    channel: CodeName
    external_id: str | None
    category: CodeName
    title: str
    description: str
    address: str
    lon: float | None
    lat: float | None
    area: AreaRef | None
    located_by: str
    routing_reason: str
    suggested_lead: UnitRef | None
    suggested_support: list[int]
    citizen_name: str
    citizen_phone: str
    pii_masked: bool = Field(description="诉求人姓名和电话是否已脱敏")
    urgency: str
    state: TicketState
    state_label: str
    parent: TicketRef | None
    merged_children: list[TicketRef]
    received_at: LocalDateTime
    dispatched_at: LocalDateTime | None
    closed_at: LocalDateTime | None
    handle_deadline: LocalDateTime | None
    overdue: bool
    dispatch_round: int
    created_by: str
    assignments: list[AssignmentOut]
    extensions: list[ExtensionOut]
    callbacks: list[CallbackOut]
    investigations: list[InvestigationOut]
    timeline: list[EventOut]
    allowed_actions: list[AllowedAction]


# ---------------------------------------------------------------- areas


class AreaFilters(Schema):
    level: int | None = Field(None, ge=0, le=4, description="层级 0 区/县 … 4 四级网格")
    parent: Text(18, min_length=1) | None = Field(None, description="上级区域编码（只列直接下级）")
    q: Text(100, min_length=1) | None = Field(None, description="名称关键词或编码前缀")


class AreaItem(Schema):
    code: str
    name: str
    level: int
    level_label: str
    parent_code: str | None
    kind: str
    key_grid: bool
    population: int | None
    children_count: int


class AreaPage(Schema):
    count: int
    items: list[AreaItem]


class AreaDetail(AreaItem):
    aliases: list
    ancestors: list[AreaRef] = Field(description="自区/县起的各级上级区域")
    boundary: dict | None = Field(description="边界（GeoJSON 几何）")


class ExportParams(Schema):
    root: Text(18, min_length=1) | None = Field(None, description="导出该区域及其全部下级；为空时导出全区")


# ---------------------------------------------------------------- units, categories, channels


class UnitFilters(Schema):
    kind: Literal[tuple(Unit.Kind.values)] | None = None
    group: Literal[tuple(Unit.Group.values)] | None = None
    q: Text(100, min_length=1) | None = Field(None, description="名称关键词或编码")
    include_inactive: bool = False


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str
    group: str
    area: AreaRef | None
    active: bool


class RuleOut(Schema):
    id: int
    category_code: str = Field(description="规则所属分类；与本分类不同时为继承上级分类的规则")
    effective_from: LocalDateTime
    handler: Literal[tuple(ResponsibilityRule.Handler.values)]
    handler_label: str
    department: UnitRef | None
    sign_limit: Decimal
    sign_limit_unit: str
    handle_limit: Decimal
    handle_limit_unit: str
    urgency: str


class CategoryFilters(Schema):
    public: bool | None = Field(None, description="只列对外公开（或不公开）的分类")
    include_inactive: bool = False


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_code: str | None
    level: int
    leaf: bool
    public: bool
    active: bool
    rule: RuleOut | None = Field(description="当前生效的责任清单（可继承自上级分类）")


class ChannelFilters(Schema):
    include_inactive: bool = False


class ChannelOut(Schema):
    code: str
    name: str
    prefix: str
    active: bool
