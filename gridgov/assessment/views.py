"""Assessment pages: runs and their rankings, publishing, and the awards ledger; views only parse, check, call runs.py."""

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gridgov.assessment import ledger, runs, scoring
from gridgov.assessment.management.commands.assess import describe_change
from gridgov.assessment.models import AwardBudget, Run, RuleSet
from gridgov.core import clock
from gridgov.core.errors import DomainError, InvalidInput

PAGE_RUNS = 200


def viewer_required(view):
    """Without assessment.view the pages do not exist for the user (not found, as for a missing page)."""
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not runs.can(request.user, "assessment.view"):
            raise Http404("页面不存在或无权访问")
        return view(request, *args, **kwargs)
    return wrapper


def _perms(user) -> dict:
    return {p: runs.can(user, f"assessment.{p}") for p in ("run", "publish", "pay")}


@viewer_required
def run_list(request):
    """Current runs (drafts and published), newest period first, with the form to compute one."""
    qs = Run.objects.select_related("rule_set", "computed_by")
    code = request.GET.get("rule", "")
    if code:
        qs = qs.filter(rule_code=code)
    if not request.GET.get("all"):
        qs = qs.exclude(state=Run.State.SUPERSEDED)
    rule_sets = RuleSet.objects.filter(active=True).order_by("code", "-version")
    codes = {}
    for r in rule_sets:
        codes.setdefault(r.code, r)
    return render(request, "assessment/run_list.html", {
        "title": "考核评定", "runs": qs.order_by("-period_start", "rule_code", "-pk")[:PAGE_RUNS],
        "rule_sets": list(codes.values()), "rule": code, "show_all": bool(request.GET.get("all")),
        "perms": _perms(request.user),
    })


@viewer_required
@require_POST
def compute(request):
    """Compute (or re-compute) a rule set for a period and show the new run."""
    try:
        run = runs.do_assess(request.user, request.POST.get("rule", ""), request.POST.get("period", ""),
                             publish=False)
    except DomainError as e:
        messages.error(request, f"计算未成功：{e.message}")
        return redirect("assessment:runs")
    messages.success(request, "计算完成" + (f"，与上次计算相比 {len(run.diff)} 个对象有变化" if run.supersedes_id else ""))
    return redirect("assessment:run", pk=run.pk)


def _parts_text(parts: list[dict], channels: dict) -> str:
    """A result's sub-scores in Chinese: "响应率 97.37；满意率 96.97；扣分 −1.00"."""
    out = []
    for p in parts:
        code, _, channel = p["metric"].partition("@")
        label = scoring.METRIC_NAMES.get(code, code) + (f"（{channels.get(channel, channel)}）" if channel else "")
        if "deduct" not in p:
            out.append(f"{label} {p['sub']}")
        elif Decimal(p["deduct"]):
            out.append(f"{label} −{p['deduct']}")
    return "；".join(out)


@viewer_required
def run_detail(request, pk: int):
    """One run: its rule text, class counts, ranking, difference from the run it superseded, and actions."""
    run = get_object_or_404(Run.objects.select_related("rule_set", "computed_by", "published_by", "supersedes"), pk=pk)
    results = list(run.results.order_by("rank"))
    channels = run.inputs.get("channels", {})
    for r in results:
        r.parts_text = _parts_text(r.detail.get("parts", []), channels)
    perms = _perms(request.user)
    budgets = list(AwardBudget.objects.all()) if run.is_published and perms["pay"] else []
    unpaid = sum((r.award for r in run.results.filter(award__gt=0, payment__isnull=True)), Decimal("0.00"))
    return render(request, "assessment/run_detail.html", {
        "title": f"{run.rule_set.name} · {run.inputs['period']['label']}", "run": run, "results": results,
        "changes": [{"text": describe_change(c), **c} for c in run.diff], "perms": perms, "budgets": budgets,
        "unpaid": unpaid, "superseded_by": Run.objects.filter(supersedes=run).first(), "today": clock.local_date(clock.now()),
    })


@viewer_required
@require_POST
def publish(request, pk: int):
    """Publish a draft run (freezes it)."""
    run = get_object_or_404(Run, pk=pk)
    try:
        runs.do_publish(request.user, run)
    except DomainError as e:
        messages.error(request, f"发布未成功：{e.message}")
    else:
        messages.success(request, "已发布，考核结果已冻结")
    return redirect("assessment:run", pk=pk)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidInput("拨付日期格式应为 2026-04-15") from None


@viewer_required
@require_POST
def pay_run(request, pk: int):
    """Pay a published run's awards from a budget."""
    run = get_object_or_404(Run, pk=pk)
    try:
        budget = AwardBudget.objects.filter(pk=request.POST.get("budget") or 0).first()
        if budget is None:
            raise InvalidInput("请选择奖励预算")
        paid = runs.do_pay_awards(request.user, run, budget, paid_on=_date(request.POST.get("paid_on")))
    except DomainError as e:
        messages.error(request, f"拨付未成功：{e.message}")
    else:
        total = sum((p.amount for p in paid), Decimal("0.00"))
        messages.success(request, f"已登记拨付 {len(paid)} 笔，共 {total} 元" if paid else "没有待拨付的奖励")
    return redirect("assessment:run", pk=pk)


@viewer_required
def awards(request):
    """The awards ledger: every budget with paid, balance and execution rate; one budget's payments."""
    budgets = list(AwardBudget.objects.all())
    rows = []
    for b in budgets:
        summary = ledger.LedgerSummary(b.amount, b.paid)
        rows.append({"budget": b, "paid": summary.paid, "balance": summary.balance, "rate": summary.rate_display,
                     "paid_wan": ledger.wan_display(summary.paid), "amount_wan": ledger.wan_display(b.amount)})
    selected = next((b for b in budgets if str(b.pk) == request.GET.get("budget")), budgets[0] if budgets else None)
    payments = selected.payments.select_related("run").order_by("paid_on", "pk") if selected else []
    return render(request, "assessment/awards.html", {
        "title": "奖励资金台账", "rows": rows, "selected": selected, "payments": payments,
        "perms": _perms(request.user), "today": clock.local_date(clock.now()),
    })


@viewer_required
@require_POST
def record_payment(request, budget_id: int):
    """Record one payment against a budget."""
    budget = get_object_or_404(AwardBudget, pk=budget_id)
    try:
        try:
            amount = Decimal(request.POST.get("amount", "").replace(",", "").strip())
        except InvalidOperation:
            raise InvalidInput("金额必须是数字") from None
        runs.do_record_payment(request.user, budget, payee=request.POST.get("payee", ""), amount=amount,
                               paid_on=_date(request.POST.get("paid_on")), note=request.POST.get("note", "")[:200])
    except DomainError as e:
        messages.error(request, f"登记未成功：{e.message}")
    else:
        messages.success(request, "已登记拨付")
    return redirect(f"{reverse('assessment:awards')}?budget={budget.pk}")
