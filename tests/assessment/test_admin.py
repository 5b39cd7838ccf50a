"""Admin: assessment pages render in Chinese; runs are read-only; a rule used by a published run has a frozen spec."""

import pytest

from gridgov.assessment import runs
from gridgov.assessment.models import RuleSet

PAGES = ["assessment/ruleset", "assessment/run", "assessment/runresult", "assessment/awardbudget", "assessment/awardpayment"]


@pytest.fixture
def staff_client(client, world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_pages_render(staff_client, page):
    assert staff_client.get(f"/admin/{page}/").status_code == 200
    add = staff_client.get(f"/admin/{page}/add/").status_code
    # Runs, results and payments are written only by the actions (frozen, budget-checked, audited).
    assert add == (403 if page in ("assessment/run", "assessment/runresult", "assessment/awardpayment") else 200)


def test_invalid_spec_is_refused_in_chinese(staff_client):
    response = staff_client.post("/admin/assessment/ruleset/add/", {
        "code": "bad", "version": 1, "name": "错误规则", "object_kind": "grid3", "effective_from": "2026-01-01",
        "spec": '{"terms": [{"metric": "nope", "weight": 1}]}', "active": "on"})
    assert response.status_code == 200
    assert "未知的指标编码" in response.content.decode()
    assert not RuleSet.objects.filter(code="bad").exists()


def test_spec_is_read_only_once_published(staff_client, world, one_ticket):
    rule = RuleSet.objects.get(code="zero-complaint-quarterly")
    assert 'name="spec"' in staff_client.get(f"/admin/assessment/ruleset/{rule.pk}/change/").content.decode()
    run = runs.do_assess(world.admin, rule.code, "2026-Q1", publish=True)
    assert 'name="spec"' not in staff_client.get(f"/admin/assessment/ruleset/{rule.pk}/change/").content.decode()
    page = staff_client.get(f"/admin/assessment/run/{run.pk}/change/").content.decode()
    assert "桃花岭社区" in page and 'name="_save"' not in page
