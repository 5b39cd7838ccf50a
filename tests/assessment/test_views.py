"""Assessment pages: who sees them, computing, the ranking with its diff, publishing, the awards ledger."""

from datetime import date
from decimal import Decimal

import pytest

from gridgov.assessment import runs
from gridgov.assessment.models import AwardBudget, AwardPayment, Run
from tests.assessment.conftest import receive

pytestmark = pytest.mark.urls("tests.assessment.urls")
ZERO = "zero-complaint-quarterly"


def login(client, username):
    assert client.login(username=username, password="pass-12345")
    return client


def test_pages_need_login_and_the_view_permission(client, world):
    assert client.get("/assessment/")["Location"].startswith("/login/")
    login(client, "outsider")
    assert client.get("/assessment/").status_code == 404
    assert client.get("/assessment/awards/").status_code == 404
    client.logout()
    login(client, "handler_a")
    assert client.get("/assessment/").status_code == 404


def test_dispatcher_computes_and_sees_the_ranking_but_cannot_publish(client, world, one_ticket):
    login(client, "dispatcher")
    page = client.get("/assessment/").content.decode()
    assert 'id="compute"' in page and "零投诉社区季度奖励" in page
    response = client.post("/assessment/compute/", {"rule": ZERO, "period": "2026-Q1"})
    run = Run.objects.get()
    assert response["Location"] == f"/assessment/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "桃花岭社区" in page and "5000.00" in page and "2026年第一季度" in page
    assert 'id="publish"' not in page
    client.post(f"/assessment/runs/{run.pk}/publish/")
    assert Run.objects.get().state == Run.State.DRAFT


def test_bad_period_is_reported_in_chinese(client, world):
    login(client, "dispatcher")
    page = client.post("/assessment/compute/", {"rule": ZERO, "period": "2026-03"}, follow=True).content.decode()
    assert "计算未成功" in page and "季度考核" in page


def test_viewer_cannot_compute(client, world):
    login(client, "viewer")
    assert 'id="compute"' not in client.get("/assessment/").content.decode()
    page = client.post("/assessment/compute/", {"rule": ZERO, "period": "2026-Q1"}, follow=True).content.decode()
    assert "无权执行此操作" in page
    assert not Run.objects.exists()


def test_rerun_shows_the_diff_and_admin_publishes(client, world, one_ticket):
    runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    receive(world, lon=1.5, lat=0.5)
    run = runs.do_assess(world.dispatcher, ZERO, "2026-Q1")
    login(client, "admin")
    page = client.get(f"/assessment/runs/{run.pk}/").content.decode()
    assert 'id="diff"' in page and "奖励 5000.00→0.00" in page
    assert 'id="publish"' in page
    page = client.post(f"/assessment/runs/{run.pk}/publish/", follow=True).content.decode()
    assert "已发布，考核结果已冻结" in page and 'id="publish"' not in page
    assert Run.objects.get(pk=run.pk).is_published
    old = run.supersedes
    assert "已被" in client.get(f"/assessment/runs/{old.pk}/").content.decode()


def test_paying_a_published_run_from_the_page(client, world, one_ticket):
    budget = AwardBudget.objects.create(name="专项经费", year=2026, amount=Decimal("4000000"))
    run = runs.do_assess(world.admin, ZERO, "2026-Q1", publish=True)
    login(client, "admin")
    assert 'id="pay"' in client.get(f"/assessment/runs/{run.pk}/").content.decode()
    page = client.post(f"/assessment/runs/{run.pk}/pay/", {"budget": budget.pk, "paid_on": "2026-04-15"}, follow=True).content.decode()
    assert "已登记拨付 2 笔，共 8000.00 元" in page
    assert AwardPayment.objects.filter(run=run).count() == 2


def test_awards_ledger_shows_the_execution_rate(client, world):
    budget = AwardBudget.objects.create(name="热线+网格、吹哨+报到专项经费", year=2022, amount=Decimal("4000000"))
    for amount in ["891650", "709200", "717750", "999000"]:
        runs.do_record_payment(world.admin, budget, payee="各街镇", amount=amount, paid_on=date(2022, 12, 1))
    login(client, "admin")
    response = client.post(f"/assessment/awards/{budget.pk}/pay/",
                           {"payee": "示范社区", "amount": "400,000", "paid_on": "2022-12-30", "note": "年终"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "92.94%" in page and "371.76 万元" in page and "3717600.00" in page
    page = client.post(f"/assessment/awards/{budget.pk}/pay/", {"payee": "x", "amount": "abc", "paid_on": "2022-12-30"},
                       follow=True).content.decode()
    assert "金额必须是数字" in page
    client.logout()
    login(client, "viewer")
    page = client.get("/assessment/awards/").content.decode()
    assert "92.94%" in page and 'id="record"' not in page
