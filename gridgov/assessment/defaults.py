"""The default rule sets seen in the seeds (DESIGN §5), as data an administrator can copy into new versions."""

from datetime import date

# 三率 with equal weights; a missing rate (no assignments or callbacks in the period) is not held against anyone.
THREE_RATES = [
    {"metric": "response_rate", "transform": "rate", "weight": 1, "missing": "full"},
    {"metric": "resolution_rate", "transform": "rate", "weight": 1, "missing": "full"},
    {"metric": "satisfaction_rate", "transform": "rate", "weight": 1, "missing": "full"},
]
FEWER_UNSATISFIED_FIRST = [{"metric": "unsatisfied", "order": "asc"}, {"metric": "received", "order": "asc"}]
PERCENT_30_60_10 = {"method": "percentage", "bands": [
    {"klass": "一类", "share": 30}, {"klass": "二类", "share": 60}, {"klass": "三类", "share": 10}]}
GRID_GRADES_REST = {"bands": [{"klass": "合格", "min": 80}], "default": "基本合格"}
# The city 12345 hotline's channel code in gridgov (see gridgov/demo/reference.py).
HOTLINE_12345 = "h12345"

DEFAULT_RULE_SETS = [
    {
        "code": "grid-leader-monthly", "name": "网格长月度考核", "object_kind": "grid_leader",
        "note": "按三率与不满意量排名，30%/60%/10% 分为一类/二类/三类，按月通报",
        "spec": {
            "period_kind": "month",
            "terms": THREE_RATES + [
                # 0 unsatisfied tickets → 100, 10 or more → 0.
                {"metric": "unsatisfied", "transform": "linear", "lo": 10, "hi": 0, "weight": 1, "missing": "full"},
            ],
            "tie_break": FEWER_UNSATISFIED_FIRST,
            "classing": PERCENT_30_60_10,
        },
    },
    {
        "code": "grid3-quarterly", "name": "三级网格季度评定", "object_kind": "grid3",
        "note": "每季度评选355个优秀三级网格，其余80分以上合格、以下基本合格",
        "spec": {
            "period_kind": "quarter",
            "terms": THREE_RATES + [
                {"metric": "unsatisfied", "transform": "linear", "lo": 10, "hi": 0, "weight": 1, "missing": "full"},
            ],
            "tie_break": FEWER_UNSATISFIED_FIRST,
            "classing": {"method": "quota", "quota": 355, "klass": "优秀", **GRID_GRADES_REST},
        },
    },
    {
        "code": "grid4-quarterly", "name": "四级网格季度评定", "object_kind": "grid4",
        "note": "每季度评选757个优秀四级网格，其余80分以上合格、以下基本合格",
        "spec": {
            "period_kind": "quarter",
            "terms": THREE_RATES + [
                {"metric": "unsatisfied", "transform": "linear", "lo": 5, "hi": 0, "weight": 1, "missing": "full"},
            ],
            "tie_break": FEWER_UNSATISFIED_FIRST,
            "classing": {"method": "quota", "quota": 757, "klass": "优秀", **GRID_GRADES_REST},
        },
    },
    {
        "code": "zero-complaint-quarterly", "name": "零投诉社区季度奖励", "object_kind": "community",
        "note": "季度内无12345热线工单的村（社区）：城市社区奖励5000元，其他村（社区）3000元",
        "spec": {
            "period_kind": "quarter",
            # The score only orders the table: 100 for no 12345 tickets, 10 points less for each one.
            "terms": [{"metric": "received", "channel": HOTLINE_12345, "transform": "linear", "lo": 10, "hi": 0,
                       "weight": 1, "missing": "full"}],
            "classing": {"method": "thresholds", "bands": [{"klass": "零投诉", "min": 100}], "default": "有投诉"},
            "awards": [{"name": "零投诉奖励",
                        "when": {"metric": "received", "channel": HOTLINE_12345, "op": "==", "value": 0},
                        "amount": {"urban": "5000.00", "default": "3000.00"}}],
        },
    },
    {
        "code": "department-monthly", "name": "区直部门月度考核", "object_kind": "department",
        "note": "按三率排名，有责工单按责任认定扣分，30%/60%/10% 分为一类/二类/三类",
        "spec": {
            "period_kind": "month",
            "terms": THREE_RATES + [{"metric": "deduction", "transform": "deduct"}],
            "tie_break": [{"metric": "responsible", "order": "asc"}, {"metric": "unsatisfied", "order": "asc"}],
            "classing": PERCENT_30_60_10,
        },
    },
]


def install(RuleSet) -> list:
    """Create the default rule sets that do not exist yet (version 1); safe to run twice. Returns those created."""
    created = []
    for d in DEFAULT_RULE_SETS:
        if RuleSet.objects.filter(code=d["code"]).exists():
            continue
        created.append(RuleSet.objects.create(code=d["code"], version=1, name=d["name"], object_kind=d["object_kind"],
                                              spec=d["spec"], note=d["note"], effective_from=date(2020, 1, 1)))
    return created
