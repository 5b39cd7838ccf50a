"""Seed 000 part 四(4) reproduced from tickets: the same counts give exactly the seed's percentages and text."""

from datetime import date
from decimal import Decimal

import pytest

from gridgov.metrics import cube
from gridgov.metrics.periods import Period
from gridgov.reports.analysis import analyse
from tests.reports import seed000

pytestmark = pytest.mark.django_db

CATEGORY_PERCENTS = [("消费维权类", 3537, "28.26"), ("城市管理类", 2275, "18.18"), ("物业管理类", 2023, "16.16"),
                     ("教育培训类", 775, "6.19"), ("道路交通类", 605, "4.83"), ("劳资纠纷类", 436, "3.48")]
STREET_PERCENTS = [("A组", 3321, "25.96"), ("B组", 769, "6.01"), ("C组", 290, "2.27")]
DEPARTMENT_PERCENTS = [("党群政务", 23, "0.18"), ("经济管理", 637, "4.98"), ("社会发展", 7719, "60.34"), ("垂直管理", 33, "0.26")]


def check(a):
    """Every figure of the seed's three paragraphs, and the two bases."""
    assert a.unsatisfied == seed000.UNSATISFIED == 12516
    assert a.unit_total == seed000.UNIT_TOTAL == 12792
    assert [(s.label, s.count, str(s.percent)) for s in a.categories[:6]] == CATEGORY_PERCENTS
    assert all(s.base == 12516 for s in a.categories)
    assert sum(s.count for s in a.categories) == 12516
    assert (a.top.count, a.top.percent) == (9651, Decimal("77.11"))
    assert (a.streets.total.count, str(a.streets.total.percent)) == (4380, "34.24")
    assert [(s.label, s.count, str(s.percent)) for s in a.streets.groups] == STREET_PERCENTS
    assert (a.departments.total.count, str(a.departments.total.percent)) == (8412, "65.76")
    assert [(s.label, s.count, str(s.percent)) for s in a.departments.groups] == DEPARTMENT_PERCENTS
    assert all(s.base == 12792 for s in a.streets.groups + a.departments.groups)
    assert a.other_units is None

    text = "\n".join(a.paragraphs())
    assert "消费维权类3537件，占28.26%" in text
    assert "占回访不满意工单77.11%" in text
    assert "各街道（镇）共有不满意工单4380件（含与区直部门联合办单），占回访不满意工单34.24%" in text
    assert "A组街道（岳麓街道、银盆岭街道、观沙岭街道、望城坡街道、望岳街道、天顶街道、梅溪湖街道、学士街道）有3321件，占25.96%" in text
    assert "C组街镇（坪塘街道、含浦街道、莲花镇、雨敞坪镇）有290件，占2.27%" in text
    assert "各区直部门共有不满意工单8412件（含与街镇联合办单），占回访不满意工单65.76%" in text
    assert "社会发展部门有7719件，占60.34%" in text
    bases = "".join(a.bases())
    assert "共12516件" in bases and "共12792件" in bases and "按工单计" in bases and "按单位计" in bases


def test_seed_000_unsatisfied_analysis_from_the_counts_and_from_the_tickets():
    seed000.build(2021)
    cube.rebuild(Period.year(2021))

    year = analyse(Period.year(2021))  # whole months: answered from the monthly counts
    check(year)
    assert year.paragraphs()[1].startswith("（一）从投诉类别看。消费维权、城市管理、物业管理、教育培训、道路交通、劳资纠纷类占比较重")
    assert "全年各街道（镇）" in year.paragraphs()[2]

    # Not whole months: counted straight from the tickets, and must agree.
    check(analyse(Period.range(date(2021, 1, 1), date(2021, 12, 30))))
