"""The drafted report text: from given figures (pure) and from the platform's tickets (database)."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D
from itertools import count

from gridgov.metrics import cube
from gridgov.metrics.periods import Period
from gridgov.selfeval import actions, narrative, starter
from gridgov.selfeval.document import DEPARTMENT, PROJECT, SECTIONS, Amounts, ProjectLine, wan
from gridgov.tickets.models import Assignment, Ticket

UNIT = "长沙市岳麓区网格化综合服务中心"


def centre_2025():
    """A department evaluation shaped like seed 000: 公用支出 and one project under 90%, one indicator short."""
    data = starter.from_template("grid_centre", UNIT, 2025)
    data.funds = {
        "total": Amounts(wan("423.38"), wan("423.38"), wan("416.69")),
        "fiscal": Amounts(wan("423.38"), wan("423.38"), wan("416.69")),
        "basic": Amounts(wan("243.38"), wan("243.38"), wan("267.51")),
        "personnel": Amounts(None, wan("222.98"), wan("252.52")),
        "public": Amounts(None, wan("20.4"), wan("14.99")),
        "project": Amounts(wan(180), wan(180), wan("149.19")),
    }
    data.projects = [ProjectLine("网格热线专项经费", Amounts(wan(57), wan(57), wan("38.24"))),
                     ProjectLine("网格化工作考核专项经费", Amounts(wan(123), wan(123), wan("110.95")))]
    data.basic.staff_quota, data.basic.staff_actual = 6, 7
    for i in data.indicators:
        i.score = i.weight
    ontime = next(i for i in data.indicators if i.metric == "ontime_close_rate")
    ontime.actual, ontime.actual_unit, ontime.score = D("92.5"), "%", D("9.74")
    return data


def platform_2025():
    return narrative.Platform(
        2025, "全区（岳麓区）", date(2026, 1, 5), received=84395, closed=84000, close_rate=D("99.53"),
        ontime_close_rate=D("97.12"), answered=30000, satisfaction_rate=D("99.13"), overdue_open=40,
        units=[narrative.UnitRate("区城市管理和综合执法局", D("88.50"), 885, 1000, 990, 10),
               narrative.UnitRate("望月湖街道办事处", D("99.00"), 99, 100, 100, 0),
               narrative.UnitRate("莲花镇人民政府", D("100.00"), 5, 5, 5, 0),
               narrative.UnitRate("区人力资源和社会保障局", D("91.20"), 912, 1000, 1000, 0),
               narrative.UnitRate("区住保中心", D("99.50"), 199, 200, 200, 0)],
        grids=[narrative.GridBacklog("望月湖街道金茂社区金茂第1网格", 12), narrative.GridBacklog("莲花镇桐木村桐木第1网格", 3),
               narrative.GridBacklog("甲网格", 1), narrative.GridBacklog("乙网格", 5)])


def test_every_section_in_outline_order():
    sections = narrative.compose(centre_2025(), platform_2025())
    assert list(sections) == [key for key, _title in SECTIONS[DEPARTMENT]]
    assert all(text.strip() for text in sections.values())


def test_basic_and_budget_sections_carry_the_figures():
    s = narrative.compose(centre_2025(), platform_2025())
    assert UNIT in s["basic"]
    assert "部门编制数6人，实际在职人数7人，人员控制率116.67%" in s["basic"]
    budget = s["general_budget"]
    assert "年初预算数423.38万元，全年预算数423.38万元，其中当年财政拨款423.38万元" in budget
    assert "全年执行数416.69万元，预算执行率98.42%" in budget
    assert "人员支出全年预算数222.98万元，执行数252.52万元，执行率113.25%" in budget
    assert "公用支出全年预算数20.40万元，执行数14.99万元，执行率73.48%" in budget
    assert "1. “网格热线专项经费”全年预算数57.00万元，执行数38.24万元，执行率67.09%" in budget
    assert "2. “网格化工作考核专项经费”全年预算数123.00万元，执行数110.95万元，执行率90.20%" in budget
    for key in ("fund_budget", "state_capital", "social_insurance"):
        assert s[key].startswith("本部门无") and "本年度无此类预算支出" in s[key]


def test_performance_states_scores_and_platform_figures():
    text = narrative.compose(centre_2025(), platform_2025())["performance"]
    assert "得分99.58分，等级为“优”" in text
    assert "资金执行率得分9.84分（分值10分）" in text
    assert "产出指标得分49.74分（分值50分）" in text and "满意度指标得分10分（分值10分）" in text
    assert "按期办结率：年度指标值≥95%，实际完成值92.5%，得分9.74分（分值10分）" in text
    assert "受理群众诉求工单84395件，办结84000件，办结率99.53%，按期办结率97.12%" in text
    assert "群众满意率99.13%" in text and "截至2026年1月5日" in text


def test_problems_from_data_and_measures_numbered_alike():
    s = narrative.compose(centre_2025(), platform_2025())
    problems, measures = s["problems"].splitlines(), s["measures"].splitlines()
    assert [line[:3] for line in problems] == [line[:3] for line in measures] == ["（一）", "（二）", "（三）", "（四）"]
    units = problems[0]
    # The three lowest below 100%, lowest first; 莲花镇 (100%) and 区住保中心 (fourth) are not named.
    order = [units.index(n) for n in ("区城市管理和综合执法局88.50%", "区人力资源和社会保障局91.20%", "望月湖街道办事处99.00%")]
    assert order == sorted(order) and "莲花镇" not in units and "区住保中心" not in units
    assert "应办结1000件，按期办结885件，超期办结105件，超期未办结10件" in units
    assert "区城市管理和综合执法局、区人力资源和社会保障局、望月湖街道办事处" in measures[0]
    grids = problems[1]
    assert "金茂第1网格（12件）、乙网格（5件）、莲花镇桐木村桐木第1网格（3件）" in grids and "甲网格" not in grids
    assert "合计20件，占全部超期未办结工单40件的50.00%" in grids
    assert "按期办结率" in problems[2] and "【请补充" in problems[2]  # no deviation reason entered
    assert "“网格热线专项经费”项目全年预算数57.00万元，执行数38.24万元，执行率67.09%" in problems[3]
    assert "公用支出" in problems[3] and "网格化工作考核专项经费" not in problems[3]  # 90.20% is not low
    assert "公用支出、项目支出、“网格热线专项经费”项目" in measures[3]


def test_a_clean_year_says_so_and_asks_for_the_officer():
    data = centre_2025()
    data.funds = {"total": Amounts(wan(100), wan(100), wan(99))}
    data.projects = []
    for i in data.indicators:
        i.score = i.weight
    s = narrative.compose(data, narrative.Platform(2025, "全区", date(2026, 1, 5)))
    assert s["problems"].startswith("（一）经对照平台数据和自评表，本年度未发现") and "【请补充" in s["problems"]
    assert s["measures"].startswith("（一）") and len(s["measures"].splitlines()) == 1
    assert "本年度未安排项目支出" in s["general_budget"]


def test_missing_figures_are_blanks_not_zeros():
    data = starter.from_template("grid_centre", UNIT, 2025)
    s = narrative.compose(data)
    assert "部门编制数____人" in s["basic"] and "全年预算数____万元" in s["basic"]
    assert "各项绩效指标尚未评分" in s["performance"]


def test_project_evaluation_drafts_its_seven_sections():
    data = starter.from_template("standard", UNIT, 2025, PROJECT, "热线+网格专项资金")
    data.funds = {"total": Amounts(wan(400), wan(400), wan("371.76"))}
    s = narrative.compose(data)
    assert list(s) == [key for key, _title in SECTIONS[PROJECT]]
    assert "全年预算数400.00万元，执行数371.76万元，执行率92.94%" in s["performance"]
    assert "资金执行率得分9.29分" in s["performance"]
    assert s["other"] == "无。"


# --- from the database ---------------------------------------------------------------------------

NUMBERS = count(1)
NOW = datetime(2026, 1, 10, 2, 0, tzinfo=timezone.utc)


def ticket(w, area, unit, received: datetime, late: bool = False, open_overdue: bool = False):
    """One 2025 ticket handled by one unit: closed on time, closed late, or still open past its deadline."""
    deadline = received + timedelta(days=10)
    closed_at = None if open_overdue else received + timedelta(days=12 if late else 2)
    t = Ticket.objects.create(
        number=f"RX{next(NUMBERS):08d}", channel=w.channel, category=w.cat_noise, rule=w.cat_noise.rules.first(),
        title="诉求", description="内容", area=area, received_at=received, updated_at=received,
        state="signed" if open_overdue else "closed", closed_at=closed_at, handle_deadline=deadline, dispatch_round=1)
    Assignment.objects.create(ticket=t, unit=unit, role="lead", state="signed" if open_overdue else "reported",
                              dispatched_at=received, sign_deadline=received + timedelta(hours=1),
                              signed_at=received + timedelta(minutes=20), handle_deadline=deadline,
                              reported_at=None if open_overdue else closed_at)
    return t


def test_draft_names_the_unit_with_the_lowest_ontime_rate(world):
    w = world
    day = datetime(2025, 5, 6, 2, tzinfo=timezone.utc)
    for n in range(4):  # 城管: 1 of 4 on time → 25%
        ticket(w, w.grid_a1, w.dept_city, day + timedelta(days=n), late=n > 0)
    for n in range(4):  # 望月湖: 3 of 4 on time → 75%
        ticket(w, w.grid_a1, w.unit_a, day + timedelta(days=n), late=n == 0)
    for n in range(2):  # 莲花镇: all on time → not a problem
        ticket(w, w.grid_b1, w.unit_b, day + timedelta(days=n))
    for n in range(2):  # 人社: 1 closed on time, 1 still open past its deadline → 50%
        ticket(w, w.grid_b1, w.dept_labour, day + timedelta(days=n), open_overdue=n == 1)
    ticket(w, w.grid_a1, w.unit_a, day, open_overdue=True)  # 望月湖 now 3 of 5 → 60%
    ticket(w, w.grid_a1, w.unit_a, day, open_overdue=True)  # 3 of 6 → 50%, ties 人社; more due ranks first
    cube.rebuild(Period.parse("2025"))
    evaluation = actions.do_create(w.finance, UNIT, 2025)
    sections = narrative.draft(evaluation, 2025, now=NOW)
    units = sections["problems"].splitlines()[0]
    assert units.startswith("（一）部分承办单位按期办结率偏低")
    assert units.index("区城市管理和综合执法局25.00%（应办结4件，按期办结1件，超期办结3件，超期未办结0件）") \
        < units.index("望月湖街道办事处50.00%（应办结6件，按期办结3件，超期办结1件，超期未办结2件）") \
        < units.index("区人力资源和社会保障局50.00%")
    assert "莲花镇" not in units
    grids = sections["problems"].splitlines()[1]
    assert "望月湖街道金茂社区金茂第1网格（2件）、莲花镇桐木村桐木第1网格（1件）" in grids
    assert "截至2026年1月10日" in grids
    assert "受理群众诉求工单14件，办结11件，办结率78.57%，按期办结率50.00%" in sections["performance"]
    assert sections["measures"].splitlines()[0].startswith("（一）压实按期办结责任。对区城市管理和综合执法局")
