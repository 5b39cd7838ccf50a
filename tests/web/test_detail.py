"""The ticket detail page: fields, masking and audited unmasking, the allowed actions and their forms, refusals, attachments, print, not-found parity."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.audit.models import AuditLog
from gridgov.callbacks.models import Callback, Investigation
from gridgov.core import clock
from gridgov.tickets import access, actions
from gridgov.tickets.api import load_case
from gridgov.tickets.available import allowed_actions
from gridgov.tickets.models import Assignment, Attachment, Extension, Ticket, TimelineEvent
from tests.conftest import FakeClock, freeze_clock

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"
PERSONAS = ["dispatcher", "handler_a", "operator", "investigator", "viewer"]


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch) -> FakeClock:
    """Monday 10:00 Beijing time, so deadlines and countdowns are predictable."""
    return freeze_clock(monkeypatch)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def make(w, **kw):
    """A noise complaint in grid A1 with the citizen's name and phone, received by the operator."""
    values = {"channel": "h12345", "category": w.cat_noise.code, "title": "夜间噪音", "description": "楼下酒吧夜间噪音扰民",
              "lon": 0.5, "lat": 0.5, "citizen_name": "张三丰", "citizen_phone": "13800001234", **kw}
    return actions.do_receive(w.operator, **values)


def lead(t):
    return t.assignments.get(role="lead", round=Ticket.objects.get(pk=t.pk).dispatch_round)


def scenario(w, fake_clock, name):
    """A ticket in the named situation."""
    t = make(w)
    if name == "received":
        return t
    if name == "merged":
        actions.do_merge(w.dispatcher, t.pk, parent_id=make(w, title="主单").pk)
        return t
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk])
    if name == "dispatched":
        return t
    actions.do_sign(w.handler_a, t.pk, assignment_id=lead(t).pk)
    if name == "signed_with_pending_extension":
        actions.do_request_extension(w.handler_a, t.pk, assignment_id=lead(t).pk, amount=2, limit_unit="work_days", reason="协调")
        return t
    actions.do_report(w.handler_a, t.pk, assignment_id=lead(t).pk, result="已处理")
    if name == "reported":
        return t
    actions.do_close(w.dispatcher, t.pk)
    actions.do_callback(w.operator, t.pk, method="phone", satisfaction="unsatisfied", resolved=False)
    if name == "closed_unsatisfied":
        return t
    actions.do_open_investigation(w.investigator, t.pk)
    return t  # closed_investigating


def as_user(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def action_ids(page: str) -> set[str]:
    return set(re.findall(r'id="act-([^"]+)"', page))


def expected_ids(user, ticket) -> set[str]:
    """The buttons available.py says the user should get, named as the page names them."""
    case = load_case(ticket.pk)
    allowed = allowed_actions(user, case, clock.now(), has_children=ticket.merged_children.exists())
    return {a["verb"] + (f"-{t}" if (t := a["assignment_id"] or a["extension_id"] or a["investigation_id"]) else "") for a in allowed}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


class FormReader(HTMLParser):
    """Collect what a browser would submit for one form: hidden and typed values, selected options, textareas."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.action, self.data = form_id, False, None, {}
        self.select = self.textarea = None
        self.found = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.found, self.action = True, True, a.get("action")
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("file", "submit") and a["name"] != "csrfmiddlewaretoken":
            self.data.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select].append(a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[self.textarea] = [""]

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def submit(client, ticket, form_id: str, **fields):
    """Open the ticket page, fill the form `form_id` as a user would, submit it and follow the redirect."""
    page = html(client.get(f"/tickets/{ticket.pk}/"))
    reader = FormReader(form_id)
    reader.feed(page)
    assert reader.found, f"no #{form_id}; buttons: {sorted(action_ids(page))}"
    button = "pii-reveal" if form_id == "form-unmask" else f'act-{form_id.removeprefix("form-")}'
    assert f'id="{button}"' in page
    data = {k: v for k, v in reader.data.items() if v}
    data.update({k: v if isinstance(v, list) else [str(v)] for k, v in fields.items()})
    return client.post(reader.action, data, follow=True)


def counts() -> dict:
    """Everything an action could change, to prove a refusal changed nothing."""
    return {
        "tickets": sorted(Ticket.objects.values_list("pk", "state", "parent_id", "handle_deadline", "dispatch_round")),
        "assignments": sorted(Assignment.objects.values_list("pk", "state", "handle_deadline", "rework_count")),
        "events": TimelineEvent.objects.count(), "extensions": sorted(Extension.objects.values_list("pk", "state")),
        "callbacks": Callback.objects.count(), "investigations": sorted(Investigation.objects.values_list("pk", "state")),
        "audit": AuditLog.objects.count(), "attachments": Attachment.objects.count(),
    }


# ---------------------------------------------------------------- rendering and the allowed actions


@pytest.mark.parametrize("name", ["received", "merged", "dispatched", "signed_with_pending_extension", "reported",
                                  "closed_unsatisfied", "closed_investigating"])
def test_the_buttons_are_exactly_the_allowed_actions(client, world, fake_clock, name):
    t = scenario(world, fake_clock, name)
    fake_clock.advance(minutes=30)
    offered = {}
    for persona in PERSONAS:
        user = getattr(world, persona)
        response = as_user(client, user).get(f"/tickets/{t.pk}/")
        if not access.visible_to(user).filter(pk=t.pk).exists():
            assert response.status_code == 404 and 'id="not-found"' in html(response), (name, persona)
            offered[persona] = set()
            continue
        assert response.status_code == 200, persona
        page = html(response)
        assert t.number in page and "夜间噪音" in page
        assert action_ids(page) == expected_ids(user, t), (name, persona)
        for verb in action_ids(page):
            assert f'id="form-{verb}"' in page, f"#act-{verb} opens no form"
        offered[persona] = action_ids(page)
    assert offered["viewer"] == set()  # a read-only role gets no buttons at all
    lead_id = lead(t).pk if name not in ("received", "merged") else None
    inv = Investigation.objects.filter(ticket=t).values_list("pk", flat=True).first()
    must = {
        "received": {"dispatcher": {"dispatch", "reject", "merge"}, "operator": {"reject"}},
        "merged": {"dispatcher": {"unmerge"}},
        "dispatched": {"handler_a": {f"sign-{lead_id}", f"return-{lead_id}"}, "dispatcher": {"merge"}},
        "signed_with_pending_extension": {"handler_a": {f"report-{lead_id}"}},
        "reported": {"dispatcher": {"close", "rework"}},
        "closed_unsatisfied": {"investigator": {"open_investigation"}, "operator": {"callback"}, "dispatcher": {"reopen"}},
        "closed_investigating": {"investigator": {f"conclude_investigation-{inv}"}},
    }[name]
    for persona, ids in must.items():
        assert ids <= offered[persona], (name, persona, offered[persona])
    if name == "signed_with_pending_extension":
        ext = Extension.objects.get()
        assert {f"approve_extension-{ext.pk}", f"deny_extension-{ext.pk}"} <= offered["dispatcher"]
        assert "request_extension" not in " ".join(offered["handler_a"])  # one pending request at a time
    if name == "closed_investigating":
        assert "reopen" not in offered["dispatcher"]  # reopening waits for the finding


def test_all_fields_timeline_and_countdown(client, world, fake_clock):
    w = world
    t = make(w, address="金茂社区3栋", urgency="urgent")
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk], note="请尽快处理")
    page = html(as_user(client, w.dispatcher).get(f"/tickets/{t.pk}/"))
    for text in [t.number, "12345热线", "城市管理 / 市容环境 / 噪音扰民", "楼下酒吧夜间噪音扰民", "金茂社区3栋", "0.500000, 0.500000",
                 "岳麓区 / 望月湖街道 / 金茂社区 / 金茂第1网格", "坐标定位", t.routing_reason, "建议主办：望月湖街道办事处",
                 "属地管理", "签收时限 1 工作小时，办理时限 10 工作日", "紧急件按 签收 1 小时、办理 24 小时 计时",
                 "区城市管理和综合执法局", "协办", "主办", "2026-03-02 10:00", 'id="ticket-state">待签收<']:
        assert text in page, text
    # The timeline: every event in order, in Beijing time, with its actor, label and state change.
    timeline = page[page.index('id="timeline"'):]
    assert timeline.index("受理") < timeline.index("派单") and "2026-03-02 10:00:00" in timeline
    assert "operator" in timeline and "dispatcher" in timeline and "新建 → 待派单" in timeline and "待派单 → 待签收" in timeline
    assert "请尽快处理" in timeline
    # An urgent ticket is due in 24 hours; the countdown is computed on the server and ticks in a static script.
    assert "剩余 1 天 0 小时" in page and "data-deadline=" in page and "/static/web/ticket-detail.js" in page
    fake_clock.advance(hours=29)
    page = html(client.get(f"/tickets/{t.pk}/"))
    assert "已超期 5 小时" in page and "gg-overdue" in page
    assert "<script>" not in page  # no inline script: everything comes from static files


def test_merged_tickets_link_parent_and_children(client, world):
    w = world
    parent, child = make(w, title="主单"), make(w, title="子单")
    actions.do_merge(w.dispatcher, child.pk, parent_id=parent.pk)
    as_user(client, w.dispatcher)
    assert f'href="/tickets/{parent.pk}/">{parent.number}<' in html(client.get(f"/tickets/{child.pk}/"))
    assert f'href="/tickets/{child.pk}/">{child.number}<' in html(client.get(f"/tickets/{parent.pk}/"))


# ---------------------------------------------------------------- not found == not visible


def test_an_invisible_ticket_looks_exactly_like_a_missing_one(client, world):
    w = world
    elsewhere = make(w, lon=3, lat=1)  # 桐木第1网格, outside the grid worker's grid
    missing = Ticket.objects.order_by("-pk").first().pk + 1000
    as_user(client, w.grid_worker)
    for suffix, method in [("", "get"), ("print/", "get"), ("attachments/1/", "get"), ("act/close/", "post"),
                           ("act/nonsense/", "post"), ("unmask/", "post"), ("attach/", "post")]:
        hidden = getattr(client, method)(f"/tickets/{elsewhere.pk}/{suffix}", {"reason": "x"} if method == "post" else None)
        absent = getattr(client, method)(f"/tickets/{missing}/{suffix}", {"reason": "x"} if method == "post" else None)
        assert hidden.status_code == absent.status_code == 404, suffix
        assert hidden.content == absent.content, suffix
        assert elsewhere.number not in html(hidden)
    assert "您要查看的工单不存在，或您无权查看" in html(hidden)
    # A unit that was never assigned the ticket gets the same page too, while the people of its area see the ticket.
    assert as_user(client, w.handler_b).get(f"/tickets/{elsewhere.pk}/").content == client.get(f"/tickets/{missing}/").content
    assert as_user(client, w.dispatcher).get(f"/tickets/{elsewhere.pk}/").status_code == 200


def test_pages_need_login(client, world):
    t = make(world)
    assert client.get(f"/tickets/{t.pk}/")["Location"].startswith("/login/")
    assert client.post(f"/tickets/{t.pk}/act/close/")["Location"].startswith("/login/")


# ---------------------------------------------------------------- personal data


def test_personal_data_is_masked_and_unmasking_is_reasoned_and_audited(client, world):
    w = world
    t = make(w)
    as_user(client, w.dispatcher)
    page = html(client.get(f"/tickets/{t.pk}/"))
    assert "张**" in page and "138****1234" in page and "13800001234" not in page and "张三丰" not in page
    assert 'id="pii-reveal"' in page and 'id="form-unmask"' in page
    assert not AuditLog.objects.filter(action="pii.view").exists()  # a masked page is not a view of personal data

    for reason, error in [("", "请填写查看理由"), ("   ", "请填写查看理由"), ("理" * 201, "查看理由不能超过200字")]:
        response = client.post(f"/tickets/{t.pk}/unmask/", {"reason": reason})
        assert response.status_code == 200 and error in html(response) and "13800001234" not in html(response)
    assert not AuditLog.objects.filter(action="pii.view").exists()

    response = submit(client, t, "form-unmask", reason="回访核实诉求人身份")
    page = html(response)
    assert response.status_code == 200 and "张三丰" in page and "13800001234" in page and "已记入审计日志" in page
    [row] = AuditLog.objects.filter(action="pii.view")
    assert (row.actor_id, row.object_type, row.object_id, row.reason) == (w.dispatcher.pk, "tickets.ticket", str(t.pk), "回访核实诉求人身份")
    # The next visit is masked again: each look needs its own reason.
    assert "13800001234" not in html(client.get(f"/tickets/{t.pk}/"))


def test_roles_without_pii_view_are_refused_and_nothing_is_written(client, world):
    w = world
    t = make(w)
    as_user(client, w.viewer)
    page = html(client.get(f"/tickets/{t.pk}/"))
    assert "138****1234" in page and 'id="pii-reveal"' not in page and 'id="form-unmask"' not in page
    response = client.post(f"/tickets/{t.pk}/unmask/", {"reason": "好奇"})
    assert response.status_code == 403 and "无权查看" in html(response) and "13800001234" not in html(response)
    assert not AuditLog.objects.exists()


def test_a_unit_sees_personal_data_only_while_it_works_on_the_ticket(client, world):
    w = world
    t = make(w)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk)
    as_user(client, w.handler_a)
    assert 'id="pii-reveal"' in html(client.get(f"/tickets/{t.pk}/"))
    actions.do_return(w.handler_a, t.pk, assignment_id=lead(t).pk, reason="不属于本街道")
    assert 'id="pii-reveal"' not in html(client.get(f"/tickets/{t.pk}/"))
    assert client.post(f"/tickets/{t.pk}/unmask/", {"reason": "核实"}).status_code == 403
    assert not AuditLog.objects.exists()


# ---------------------------------------------------------------- the loop through the forms


def test_the_whole_loop_through_the_page_forms(client, world, fake_clock):
    w = world
    t = make(w)
    assert t.suggested_lead_id == w.unit_a.pk

    # The dispatcher's form comes with the suggested lead preselected; submitting it as is dispatches there.
    as_user(client, w.dispatcher)
    page = html(client.get(f"/tickets/{t.pk}/"))
    assert f'<option value="{w.unit_a.pk}" selected>' in page
    response = submit(client, t, "form-dispatch")
    assert "已派单" in messages_of(response) and 'id="ticket-state">待签收<' in html(response)
    a = t.assignments.get()
    assert (a.unit_id, a.role) == (w.unit_a.pk, "lead")

    as_user(client, w.handler_a)
    fake_clock.advance(minutes=20)
    response = submit(client, t, f"form-sign-{a.pk}")
    assert "已签收" in messages_of(response) and 'id="ticket-state">办理中<' in html(response) and "按时签收" in html(response)
    fake_clock.advance(hours=3)
    response = submit(client, t, f"form-report-{a.pk}", result="已约谈施工单位，夜间停止施工")
    assert "已提交办理反馈" in messages_of(response) and 'id="ticket-state">待结案<' in html(response)

    as_user(client, w.dispatcher)
    response = submit(client, t, "form-close", note="反馈属实，予以结案")
    assert "已结案" in messages_of(response) and 'id="ticket-state">已结案<' in html(response)

    as_user(client, w.operator)
    response = submit(client, t, "form-callback", method="phone", answered="true", satisfaction="unsatisfied", resolved="false",
                      note="群众表示仍有噪音")
    assert "已记录回访" in messages_of(response) and "不满意" in html(response)

    as_user(client, w.investigator)
    response = submit(client, t, "form-open_investigation", note="核查处置情况")
    assert "已发起调查" in messages_of(response)
    inv = Investigation.objects.get(ticket=t)
    page = html(client.get(f"/tickets/{t.pk}/"))
    assert f'<option value="{w.unit_a.pk}">望月湖街道办事处</option>' in page  # the units that handled it
    response = submit(client, t, f"form-conclude_investigation-{inv.pk}", finding="responsible", responsible_unit_id=w.unit_a.pk,
                      deduction_points="2", note="未彻底整改")
    assert "已完成责任认定" in messages_of(response) and "有责" in html(response)

    inv.refresh_from_db()
    assert (inv.state, inv.finding, inv.responsible_unit_id, str(inv.deduction_points)) == ("concluded", "responsible", w.unit_a.pk, "2.00")
    assert list(t.events.values_list("verb", flat=True)) == [
        "receive", "dispatch", "sign", "report", "close", "callback", "open_investigation", "conclude_investigation"]


def test_the_other_verbs_through_their_forms(client, world, fake_clock):
    w = world
    t, other = make(w), make(w, title="同一事项")
    as_user(client, w.dispatcher)
    response = submit(client, t, "form-dispatch", lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk, w.unit_b.pk])
    assert "已派单" in messages_of(response)
    assert sorted(t.assignments.values_list("unit_id", "role")) == sorted(
        [(w.unit_a.pk, "lead"), (w.dept_city.pk, "support"), (w.unit_b.pk, "support")])
    lead_a, support_b = lead(t), t.assignments.get(unit=w.unit_b)

    as_user(client, w.handler_b)
    response = submit(client, t, f"form-return-{support_b.pk}", reason="不属于本镇")
    assert "已回退" in messages_of(response)
    as_user(client, w.handler_a)
    submit(client, t, f"form-sign-{lead_a.pk}")
    response = submit(client, t, f"form-request_extension-{lead_a.pk}", amount="2", limit_unit="work_days", reason="需协调多个部门")
    assert "已提交延期申请" in messages_of(response)
    ext = Extension.objects.get()
    as_user(client, w.dispatcher)
    old = lead(t).handle_deadline
    response = submit(client, t, f"form-approve_extension-{ext.pk}", note="同意")
    assert "已批准延期" in messages_of(response) and lead(t).handle_deadline > old
    as_user(client, w.handler_a)
    submit(client, t, f"form-request_extension-{lead_a.pk}", amount="1", limit_unit="work_days", reason="再协调")
    as_user(client, w.dispatcher)
    ext2 = Extension.objects.get(state="pending")
    response = submit(client, t, f"form-deny_extension-{ext2.pk}", note="时限已足够")
    assert "已驳回延期申请" in messages_of(response)
    as_user(client, w.handler_a)
    submit(client, t, f"form-report-{lead_a.pk}", result="已处理")
    as_user(client, w.dispatcher)
    response = submit(client, t, "form-rework", reason="未整改到位")
    assert "已发回重办" in messages_of(response) and lead(t).rework_count == 1
    as_user(client, w.handler_a)
    submit(client, t, f"form-report-{lead_a.pk}", result="已整改")
    as_user(client, w.dispatcher)
    submit(client, t, "form-close")
    response = submit(client, t, "form-reopen", reason="群众再次反映")
    assert "已重新启用" in messages_of(response) and 'id="ticket-state">待派单<' in html(response)

    response = submit(client, other, "form-merge", parent=t.number, note="同一事项")
    assert "已并单" in messages_of(response) and Ticket.objects.get(pk=other.pk).parent_id == t.pk
    response = submit(client, other, "form-unmerge")
    assert "已拆单" in messages_of(response) and Ticket.objects.get(pk=other.pk).parent_id is None
    response = submit(client, other, "form-reject", reason="不属于受理范围")
    assert "已不予受理" in messages_of(response) and Ticket.objects.get(pk=other.pk).state == "rejected"


# ---------------------------------------------------------------- refusals change nothing


@pytest.mark.parametrize("persona, setup, verb, data, message", [
    ("viewer", "received", "dispatch", {"lead_unit_id": "unit_a"}, "派单未成功：无权执行此操作"),
    ("investigator", "received", "reject", {"reason": "不受理"}, "不予受理未成功：无权执行此操作"),
    ("dispatcher", "received", "close", {}, "核查结案未成功：工单当前状态为“待派单”，不能核查结案"),
    ("dispatcher", "dispatched", "dispatch", {"lead_unit_id": "unit_a"}, "派单未成功：工单当前状态为“待签收”，不能派单"),
    ("handler_a", "dispatched", "return", {"assignment_id": "lead"}, "回退未成功：回退需要填写：理由"),
    ("handler_city", "dispatched", "sign", {"assignment_id": "lead"}, "签收未成功：无权执行此操作"),  # a support unit, not the lead
    ("handler_a", "dispatched", "sign", {"assignment_id": "999999"}, "签收未成功：交办记录不存在"),
    ("handler_a", "signed", "request_extension", {"assignment_id": "lead", "amount": "abc", "limit_unit": "work_days", "reason": "x"},
     "申请延期未成功：延期时长：输入一个数字"),
    ("handler_a", "signed", "request_extension", {"assignment_id": "lead", "amount": "0", "limit_unit": "work_days", "reason": "x"},
     "申请延期未成功：延期时长必须大于0且不超过365"),
    ("dispatcher", "received", "merge", {"parent": "RX000"}, "并单未成功：找不到编号为“RX000”的工单，或无权查看"),
    ("dispatcher", "received", "merge", {"parent": ""}, "并单未成功：并单需要填写：主单"),
    ("dispatcher", "received", "reject", {"reason": "长" * 301}, "不予受理未成功：理由：确保该变量包含不超过 300 字符"),
    ("operator", "closed", "callback", {"method": "phone", "answered": "true"}, "回访未成功：有效回访必须选择满意度"),
    ("investigator", "closed", "open_investigation", {}, "发起调查未成功：只有回访不满意的工单才能发起调查"),
])
def test_a_refused_action_says_why_in_chinese_and_changes_nothing(client, world, persona, setup, verb, data, message):
    w = world
    t = make(w)
    if setup != "received":
        actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk, support_unit_ids=[w.dept_city.pk])
    if setup in ("signed", "closed"):
        actions.do_sign(w.handler_a, t.pk, assignment_id=lead(t).pk)
    if setup == "closed":
        actions.do_report(w.handler_a, t.pk, assignment_id=lead(t).pk, result="已处理")
        actions.do_close(w.dispatcher, t.pk)
    data = {k: str({"unit_a": w.unit_a.pk, "lead": lead(t).pk if setup != "received" else None}.get(v, v)) for k, v in data.items()}
    before = counts()
    response = as_user(client, getattr(w, persona)).post(f"/tickets/{t.pk}/act/{verb}/", data, follow=True)
    assert response.redirect_chain == [(f"/tickets/{t.pk}/", 302)]
    errors = [m for m in messages_of(response)]
    assert any(m.startswith(message) for m in errors), errors
    assert 'class="alert alert-danger' in html(response)
    assert counts() == before


def test_unknown_verbs_get_and_missing_csrf_are_refused(client, world):
    w = world
    t = make(w)
    as_user(client, w.dispatcher)
    before = counts()
    assert client.post(f"/tickets/{t.pk}/act/destroy/").status_code == 404
    assert client.post(f"/tickets/{t.pk}/act/receive/").status_code == 404  # receive creates tickets, it is not a button
    assert client.get(f"/tickets/{t.pk}/act/dispatch/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(w.dispatcher)
    assert strict.post(f"/tickets/{t.pk}/act/dispatch/", {"lead_unit_id": w.unit_a.pk}).status_code == 403
    assert strict.post(f"/tickets/{t.pk}/unmask/", {"reason": "x"}).status_code == 403
    assert counts() == before


# ---------------------------------------------------------------- attachments


def test_attachments_upload_list_and_serve(client, world, media):
    w = world
    t = make(w)
    as_user(client, w.operator)
    response = client.post(f"/tickets/{t.pk}/attach/", {"files": [SimpleUploadedFile("现场.png", PNG), SimpleUploadedFile("说明.pdf", PDF)]},
                           follow=True)
    assert "已上传 2 个附件" in messages_of(response)
    png, pdf = Attachment.objects.order_by("pk")
    page = html(response)
    assert f'<img src="/tickets/{t.pk}/attachments/{png.pk}/"' in page and "说明.pdf" in page
    assert "上传附件：现场.png、说明.pdf" in page and ">附件<" in page  # on the timeline
    assert "/media/" not in page
    served = client.get(f"/tickets/{t.pk}/attachments/{png.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png" and b"".join(served.streaming_content) == PNG
    assert "private" in served["Cache-Control"]
    doc = client.get(f"/tickets/{t.pk}/attachments/{pdf.pk}/")
    assert doc["Content-Disposition"].startswith("attachment")
    # An attachment is reachable only through its own ticket.
    other = make(w)
    assert client.get(f"/tickets/{other.pk}/attachments/{png.pk}/").status_code == 404
    as_user(client, w.grid_worker)  # sees grid A1
    assert client.get(f"/tickets/{t.pk}/attachments/{png.pk}/").status_code == 200
    elsewhere = make(w, lon=3, lat=1)
    Attachment.objects.filter(pk=pdf.pk).update(ticket=elsewhere)
    assert client.get(f"/tickets/{elsewhere.pk}/attachments/{pdf.pk}/").content == client.get("/tickets/999999/attachments/1/").content


@pytest.mark.parametrize("persona, files, message", [
    ("operator", [("ok.png", PNG), ("virus.exe", b"MZ\x90\x00")], "上传未成功：不支持的文件类型“virus.exe”"),
    ("operator", [("fake.png", b"MZ not a png")], "上传未成功：文件“fake.png”的内容与扩展名不符"),
    ("operator", [], "上传未成功：请选择要上传的文件"),
    ("investigator", [("ok.png", PNG)], "上传未成功：无权执行此操作"),
])
def test_bad_uploads_are_refused_and_nothing_is_saved(client, world, media, persona, files, message):
    t = make(world)
    before = counts()
    response = as_user(client, getattr(world, persona)).post(
        f"/tickets/{t.pk}/attach/", {"files": [SimpleUploadedFile(n, c) for n, c in files]}, follow=True)
    assert any(m.startswith(message) for m in messages_of(response)), messages_of(response)
    assert counts() == before and not any(p.is_file() for p in media.rglob("*"))


def test_the_upload_form_is_only_for_people_who_work_on_the_ticket(client, world):
    t = make(world)
    assert 'id="form-attach"' in html(as_user(client, world.operator).get(f"/tickets/{t.pk}/"))
    assert 'id="form-attach"' not in html(as_user(client, world.viewer).get(f"/tickets/{t.pk}/"))


# ---------------------------------------------------------------- print


def test_print_view_is_masked_without_menu_or_actions(client, world):
    w = world
    t = make(w)
    actions.do_dispatch(w.dispatcher, t.pk, lead_unit_id=w.unit_a.pk)
    as_user(client, w.dispatcher)
    # Even right after unmasking on the page, the print stays masked.
    client.post(f"/tickets/{t.pk}/unmask/", {"reason": "核实"})
    audits = AuditLog.objects.count()
    response = client.get(f"/tickets/{t.pk}/print/")
    page = html(response)
    assert response.status_code == 200
    assert "张**" in page and "138****1234" in page and "13800001234" not in page and "张三丰" not in page
    assert t.number in page and "望月湖街道办事处" in page and 'id="timeline"' in page and "派单" in page
    assert 'id="print-button"' in page and "/static/web/ticket-print.js" in page and "<script>" not in page
    assert "gg-menu" not in page and 'id="act-' not in page and 'id="pii-reveal"' not in page and "form-unmask" not in page
    assert AuditLog.objects.count() == audits
