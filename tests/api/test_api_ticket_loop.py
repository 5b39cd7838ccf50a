"""The closed loop and every other verb, driven through /api/v1 by the personas who do them."""

from decimal import Decimal

from gridgov.tickets.models import Ticket
from tests.api.helpers import NOISE, assert_error, make_ticket


def verbs(detail, **match):
    """Return the allowed verbs of a detail response, optionally only those with the given ids."""
    return {a["verb"] for a in detail["allowed_actions"] if all(a.get(k) == v for k, v in match.items())}


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_full_loop_through_the_api(world, as_user, fake_clock):
    w = world
    operator, dispatcher, handler, investigator = (as_user(u) for u in (w.operator, w.dispatcher, w.handler_a, w.investigator))

    created = ok(operator.post("/tickets", NOISE), 201)
    tid = created["id"]
    assert created["state"] == "received" and created["area"]["code"] == w.grid_a1.code
    assert created["suggested_lead"] == {"id": w.unit_a.pk, "name": w.unit_a.name}
    assert created["number"].startswith("RX20260302")
    assert verbs(created) == {"reject"}  # the operator may reject but not dispatch

    assert tid in [t["id"] for t in ok(operator.get("/tickets"))["items"]]
    assert {"dispatch", "reject", "merge"} <= verbs(ok(dispatcher.get(f"/tickets/{tid}")))

    detail = ok(dispatcher.act(tid, "dispatch", {"lead_unit_id": w.unit_a.pk, "note": "属地处理"}))
    assert detail["state"] == "dispatched"
    [assignment] = detail["assignments"]
    aid = assignment["id"]
    assert assignment["unit"] == {"id": w.unit_a.pk, "name": w.unit_a.name} and assignment["role"] == "lead"
    assert assignment["state"] == "pending" and assignment["current"] is True
    assert assignment["sign_deadline"].endswith("+08:00")

    seen_by_handler = ok(handler.get(f"/tickets/{tid}"))
    assert verbs(seen_by_handler, assignment_id=aid) == {"sign", "return"}
    assert "sign" not in verbs(ok(dispatcher.get(f"/tickets/{tid}")))

    fake_clock.advance(minutes=10)
    assert ok(handler.act(tid, "sign", {"assignment_id": aid}))["state"] == "signed"
    fake_clock.advance(hours=20)
    detail = ok(handler.act(tid, "report", {"assignment_id": aid, "result": "已协调酒吧整改"}))
    assert detail["state"] == "reported" and detail["assignments"][0]["result"] == "已协调酒吧整改"
    assert {"close", "rework"} <= verbs(ok(dispatcher.get(f"/tickets/{tid}")))

    fake_clock.advance(hours=1)
    assert ok(dispatcher.act(tid, "close", {"note": "核查属实"}))["state"] == "closed"
    fake_clock.advance(days=1)
    detail = ok(operator.act(tid, "callback", {"method": "phone", "satisfaction": "unsatisfied", "resolved": False, "note": "仍有噪音"}))
    assert detail["callbacks"][0]["satisfaction"] == "unsatisfied" and detail["callbacks"][0]["satisfaction_label"] == "不满意"

    seen = ok(investigator.get(f"/tickets/{tid}"))
    assert "open_investigation" in verbs(seen)
    detail = ok(investigator.act(tid, "open_investigation", {"note": "调取办理记录"}))
    [inv] = detail["investigations"]
    assert inv["state"] == "open"
    assert verbs(detail, investigation_id=inv["id"]) == {"conclude_investigation"}
    assert "open_investigation" not in verbs(detail)  # one open investigation at a time

    fake_clock.advance(days=1)
    detail = ok(investigator.act(tid, "conclude_investigation", {
        "investigation_id": inv["id"], "finding": "responsible", "responsible_unit_id": w.unit_a.pk, "deduction_points": "2.5"}))
    inv = detail["investigations"][0]
    assert inv["state"] == "concluded" and inv["finding_label"] == "有责"
    assert inv["responsible_unit"]["id"] == w.unit_a.pk and Decimal(inv["deduction_points"]) == Decimal("2.5")

    timeline = detail["timeline"]
    assert [e["verb"] for e in timeline] == [
        "receive", "dispatch", "sign", "report", "close", "callback", "open_investigation", "conclude_investigation"]
    assert [e["seq"] for e in timeline] == list(range(1, 9))
    assert timeline[0]["actor"] == "operator" and timeline[1]["verb_label"] == "派单"
    assert timeline[2]["from_state"] == "dispatched" and timeline[2]["to_state"] == "signed"
    assert Ticket.objects.get(pk=tid).state == "closed"


def test_extension_requested_approved_and_denied(world, as_user, fake_clock):
    w = world
    dispatcher, handler = as_user(w.dispatcher), as_user(w.handler_a)
    t = make_ticket(w)
    aid = ok(dispatcher.act(t.pk, "dispatch", {"lead_unit_id": w.unit_a.pk}))["assignments"][0]["id"]
    ok(handler.act(t.pk, "sign", {"assignment_id": aid}))
    assert "request_extension" in verbs(ok(handler.get(f"/tickets/{t.pk}")), assignment_id=aid)

    detail = ok(handler.act(t.pk, "request_extension", {"assignment_id": aid, "amount": 3, "limit_unit": "work_days", "reason": "需协调多部门"}))
    [ext] = detail["extensions"]
    assert ext["state"] == "pending" and Decimal(ext["amount"]) == 3
    assert "request_extension" not in verbs(detail)  # one pending request at a time
    seen = ok(dispatcher.get(f"/tickets/{t.pk}"))
    assert verbs(seen, extension_id=ext["id"]) == {"approve_extension", "deny_extension"}

    old_deadline = seen["handle_deadline"]
    detail = ok(dispatcher.act(t.pk, "approve_extension", {"extension_id": ext["id"], "note": "同意"}))
    assert detail["extensions"][0]["state"] == "approved"
    assert detail["handle_deadline"] > old_deadline and detail["handle_deadline"] == detail["extensions"][0]["new_deadline"]

    body = {"assignment_id": aid, "amount": "1.5", "limit_unit": "hours", "reason": "再等一天"}
    ext2 = ok(handler.act(t.pk, "request_extension", body))["extensions"][1]
    detail = ok(dispatcher.act(t.pk, "deny_extension", {"extension_id": ext2["id"], "note": "时限已足够"}))
    assert detail["extensions"][1]["state"] == "denied" and detail["extensions"][1]["decision_note"] == "时限已足够"
    assert_error(dispatcher.act(t.pk, "deny_extension", {"extension_id": ext2["id"], "note": "再驳回"}), 409, "invalid_state")


def test_return_then_redispatch_then_reject(world, as_user):
    w = world
    dispatcher, handler_a = as_user(w.dispatcher), as_user(w.handler_a)
    t = make_ticket(w)
    aid = ok(dispatcher.act(t.pk, "dispatch", {"lead_unit_id": w.unit_a.pk}))["assignments"][0]["id"]
    assert_error(handler_a.act(t.pk, "return", {"assignment_id": aid, "reason": "  "}), 422, "invalid_input")
    detail = ok(handler_a.act(t.pk, "return", {"assignment_id": aid, "reason": "不属于本街道"}))
    assert detail["state"] == "returned" and detail["assignments"][0]["return_reason"] == "不属于本街道"
    assert detail["allowed_actions"] == []  # the unit has nothing left to do

    detail = ok(dispatcher.act(t.pk, "dispatch", {"lead_unit_id": w.unit_b.pk}))
    assert detail["dispatch_round"] == 2 and [a["current"] for a in detail["assignments"]] == [False, True]
    aid_b = detail["assignments"][1]["id"]
    ok(as_user(w.handler_b).act(t.pk, "return", {"assignment_id": aid_b, "reason": "也不属于本镇"}))
    detail = ok(dispatcher.act(t.pk, "reject", {"reason": "不属于受理范围"}))
    assert detail["state"] == "rejected" and detail["closed_at"] is not None


def test_rework_then_close_then_reopen(world, as_user):
    w = world
    dispatcher, handler = as_user(w.dispatcher), as_user(w.handler_a)
    t = make_ticket(w)
    aid = ok(dispatcher.act(t.pk, "dispatch", {"lead_unit_id": w.unit_a.pk}))["assignments"][0]["id"]
    ok(handler.act(t.pk, "sign", {"assignment_id": aid}))
    ok(handler.act(t.pk, "report", {"assignment_id": aid, "result": "已处理"}))
    detail = ok(dispatcher.act(t.pk, "rework", {"reason": "未见整改照片"}))
    assert detail["state"] == "signed" and detail["assignments"][0]["rework_count"] == 1
    ok(handler.act(t.pk, "report", {"assignment_id": aid, "result": "已补充照片"}))
    ok(dispatcher.act(t.pk, "close"))
    detail = ok(dispatcher.act(t.pk, "reopen", {"reason": "群众再次反映"}))
    assert detail["state"] == "received" and detail["closed_at"] is None


def test_joint_ticket_support_unit_signs_without_moving_the_ticket(world, as_user):
    w = world
    dispatcher = as_user(w.dispatcher)
    t = make_ticket(w, category="010102", title="道路破损")
    detail = ok(dispatcher.act(t.pk, "dispatch", {"lead_unit_id": w.dept_city.pk, "support_unit_ids": [w.unit_a.pk]}))
    support = next(a for a in detail["assignments"] if a["role"] == "support")
    lead = next(a for a in detail["assignments"] if a["role"] == "lead")
    seen = ok(as_user(w.handler_a).get(f"/tickets/{t.pk}"))
    assert verbs(seen, assignment_id=support["id"]) == {"sign", "return"}
    assert verbs(seen, assignment_id=lead["id"]) == set()  # another unit's assignment
    detail = ok(as_user(w.handler_a).act(t.pk, "sign", {"assignment_id": support["id"]}))
    assert detail["state"] == "dispatched"
    assert_error(as_user(w.handler_a).act(t.pk, "sign", {"assignment_id": lead["id"]}), 403, "forbidden")


def test_merge_and_unmerge(world, as_user):
    w = world
    dispatcher = as_user(w.dispatcher)
    parent, child = make_ticket(w), make_ticket(w, title="同一酒吧噪音")
    detail = ok(dispatcher.act(child.pk, "merge", {"parent_id": parent.pk, "note": "同一事项"}))
    assert detail["state"] == "merged" and detail["parent"] == {"id": parent.pk, "number": parent.number}
    assert ok(dispatcher.get(f"/tickets/{parent.pk}"))["merged_children"] == [{"id": child.pk, "number": child.number}]
    assert_error(dispatcher.act(child.pk, "merge", {"parent_id": parent.pk}), 409, "invalid_state")
    detail = ok(dispatcher.act(child.pk, "unmerge"))
    assert detail["state"] == "received" and detail["parent"] is None
    assert_error(dispatcher.act(child.pk, "merge", {"parent_id": child.pk}), 422, "invalid_input")


def test_unanswered_callback_does_not_allow_an_investigation(world, as_user):
    w = world
    dispatcher, handler = as_user(w.dispatcher), as_user(w.handler_a)
    t = make_ticket(w)
    aid = ok(dispatcher.act(t.pk, "dispatch", {"lead_unit_id": w.unit_a.pk}))["assignments"][0]["id"]
    ok(handler.act(t.pk, "sign", {"assignment_id": aid}))
    ok(handler.act(t.pk, "report", {"assignment_id": aid, "result": "已处理"}))
    ok(dispatcher.act(t.pk, "close"))
    detail = ok(as_user(w.operator).act(t.pk, "callback", {"method": "phone", "answered": False}))
    assert detail["callbacks"][0]["answered"] is False and detail["callbacks"][0]["satisfaction"] == ""
    assert "open_investigation" not in verbs(ok(as_user(w.investigator).get(f"/tickets/{t.pk}")))
    assert_error(as_user(w.investigator).act(t.pk, "open_investigation"), 409, "invalid_state")


def test_a_state_refusal_is_409_and_changes_nothing(world, as_user):
    w = world
    t = make_ticket(w)
    events = t.events.count()
    assert_error(as_user(w.dispatcher).act(t.pk, "close"), 409, "invalid_state")
    assert_error(as_user(w.dispatcher).act(t.pk, "sign", {"assignment_id": 1}), 404, "not_found")
    t.refresh_from_db()
    assert t.state == "received" and t.events.count() == events
