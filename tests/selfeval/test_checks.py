"""The consistency checks: on the seeds' own tables they fire exactly where a seed is wrong, and never on a sound table."""

import dataclasses
from decimal import Decimal

import pytest

from gridgov.selfeval.checks import ERROR, WARNING, check
from gridgov.selfeval.document import BasicRow, wan
from tests.selfeval.seeds import SEEDS, seed000, seed001, seed003
from tests.selfeval.sound import sound_department

EXPECTED = {
    "000": [
        ("funds.structure_sum", "部门整体支出绩效自评表 · 资金情况 · 全年执行数"),
        ("funds.rate", "部门整体支出绩效自评表 · 资金情况 · 基本支出 · 执行率"),
        ("funds.execution_score", "部门整体支出绩效自评表 · 资金情况 · 得分"),
        ("funds.reason_missing", "部门整体支出绩效自评表 · 资金情况 · 偏差原因"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（网格热线专项经费）"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（应急值班经费）"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（网格化工作、考核专项经费）"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（网格工作平台维护专项）"),
        ("tree.not_measurable", "部门整体支出绩效自评表 · 绩效指标 · 第1行（全年共收集解决民情问题数） · 年度指标值"),
        ("tree.not_measurable", "部门整体支出绩效自评表 · 绩效指标 · 第3行（定点结对一帮一，网格服务更精准。） · 年度指标值"),
        ("tree.level3_missing", "部门整体支出绩效自评表 · 绩效指标 · 第4行（2021全年）"),
        ("tree.cost_vs_funds", "部门整体支出绩效自评表 · 绩效指标 · 第5行（88712345热线话务员外包项目成本） · 实际完成值"),
        ("total.stated", "部门整体支出绩效自评表 · 总分"),
        ("report.section_missing", "自评报告 · 三、政府性基金预算支出情况"),
        ("report.section_missing", "自评报告 · 四、国有资本经营预算支出情况"),
        ("report.section_missing", "自评报告 · 五、社会保险基金预算支出情况"),
        ("report.section_missing", "自评报告 · 九、部门整体支出绩效自评结果拟应用和公开情况"),
    ],
    "001": [
        ("funds.sources_sum", "部门整体支出绩效自评表 · 资金情况 · 全年预算数"),
        ("funds.structure_sum", "部门整体支出绩效自评表 · 资金情况 · 全年执行数"),
        ("funds.projects_sum", "部门整体支出绩效自评表 · 资金情况 · 全年执行数"),
        ("basic.vs_funds", "基础数据表 · 本年预算数 · 项目支出"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（网格化工作经费）"),
        ("tree.unit_mismatch", "部门整体支出绩效自评表 · 绩效指标 · 第1行（城区城乡帮困项目） · 实际完成值"),
        ("tree.unit_mismatch", "部门整体支出绩效自评表 · 绩效指标 · 第2行（农村城乡帮困项目） · 实际完成值"),
        ("tree.unit_mismatch", "部门整体支出绩效自评表 · 绩效指标 · 第3行（第三方机构服务评估） · 实际完成值"),
        ("tree.deviation_missing", "部门整体支出绩效自评表 · 绩效指标 · 第6行（提供身心陪伴、居家服务、社会参与服务和物质、资金支持为主要内容的“三服务两支持”帮扶健运行。） · 偏差原因分析及改进措施"),
        ("tree.score_formula", "部门整体支出绩效自评表 · 绩效指标 · 第8行（成本控制数算） · 得分"),
        ("tree.deviation_missing", "部门整体支出绩效自评表 · 绩效指标 · 第8行（成本控制数算） · 偏差原因分析及改进措施"),
        ("tree.score_formula", "部门整体支出绩效自评表 · 绩效指标 · 第9行（通过实施城乡帮困，有效缓解服务对象经济困难） · 得分"),
        ("tree.deviation_missing", "部门整体支出绩效自评表 · 绩效指标 · 第9行（通过实施城乡帮困，有效缓解服务对象经济困难） · 偏差原因分析及改进措施"),
        ("tree.deviation_missing", "部门整体支出绩效自评表 · 绩效指标 · 第10行（通过实施城乡帮困，有序引导社会力量对困顿群众进行帮扶） · 偏差原因分析及改进措施"),
        ("tree.deviation_missing", "部门整体支出绩效自评表 · 绩效指标 · 第11行（建立健全城乡帮困长效机制） · 偏差原因分析及改进措施"),
        ("report.section_missing", "自评报告 · 三、政府性基金预算支出情况"),
        ("report.section_missing", "自评报告 · 四、国有资本经营预算支出情况"),
        ("report.section_missing", "自评报告 · 五、社会保险基金预算支出情况"),
        ("report.section_missing", "自评报告 · 九、部门整体支出绩效自评结果拟应用和公开情况"),
        ("tree.weights", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 产出指标"),
        ("tree.weights", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 效益指标"),
        ("tree.unit_mismatch", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第1行（城区城乡帮困项目） · 实际完成值"),
        ("tree.unit_mismatch", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第2行（农村城乡帮困项目） · 实际完成值"),
        ("tree.deviation_missing", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第4行（提供身心陪伴、居家服务、社会参与服务和物质、资金支持为主要内容的“三服务两支持”） · 偏差原因分析及改进措施"),
        ("tree.score_formula", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第7行（提供社会服务） · 得分"),
        ("tree.deviation_missing", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第7行（提供社会服务） · 偏差原因分析及改进措施"),
        ("tree.deviation_missing", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第8行（建立健全城乡帮困长效机制） · 偏差原因分析及改进措施"),
        ("tree.level2_unknown", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第9行（95%）"),
        ("tree.level3_missing", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第9行（95%）"),
        ("tree.deviation_missing", "项目支出绩效自评表（城乡帮困项目） · 绩效指标 · 第9行（95%） · 偏差原因分析及改进措施"),
        ("tree.weights", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 产出指标"),
        ("tree.weights", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 效益指标"),
        ("tree.cost_vs_funds", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 第6行（网格员工资） · 实际完成值"),
        ("tree.score_formula", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 第7行（提供社会服务） · 得分"),
        ("tree.deviation_missing", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 第7行（提供社会服务） · 偏差原因分析及改进措施"),
        ("tree.score_formula", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 第8行（网格员队伍能力的提升） · 得分"),
        ("tree.deviation_missing", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 第8行（网格员队伍能力的提升） · 偏差原因分析及改进措施"),
        ("tree.deviation_missing", "项目支出绩效自评表（网格员专项经费） · 绩效指标 · 第9行（群众满意度） · 偏差原因分析及改进措施"),
    ],
    "002": [
        ("funds.total_missing", "部门整体支出绩效自评表 · 资金情况 · 年度资金总额"),
        ("attachment.basic_missing", "附件 · 基础数据表"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（社会治理日常事务）"),
        ("attachment.project_missing", "附件 · 项目支出绩效自评表（社会治理系统运行维护）"),
        ("tree.empty", "部门整体支出绩效自评表 · 绩效指标"),
        ("report.section_missing", "自评报告 · 三、政府性基金预算支出情况"),
        ("report.section_missing", "自评报告 · 四、国有资本经营预算支出情况"),
        ("report.section_missing", "自评报告 · 五、社会保险基金预算支出情况"),
        ("report.section_missing", "自评报告 · 九、部门整体支出绩效自评结果拟应用和公开情况"),
    ],
    "003": [
        ("tree.level3_missing", "项目支出绩效自评表（“热线+网格、吹哨+报到”专项资金） · 绩效指标 · 第1行（产出指标）"),
        ("tree.level3_missing", "项目支出绩效自评表（“热线+网格、吹哨+报到”专项资金） · 绩效指标 · 第2行（效益指标）"),
        ("tree.level3_missing", "项目支出绩效自评表（“热线+网格、吹哨+报到”专项资金） · 绩效指标 · 第3行（满意度指标）"),
        ("report.measures_missing", "自评报告 · 六、有关建议"),
    ],
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_checks_fire_exactly_where_each_seed_is_wrong(seed):
    assert [(p.code, p.place) for p in check(SEEDS[seed]())] == EXPECTED[seed]


def _messages(data, code):
    return [p.message for p in check(data) if p.code == code]


def test_seed000_execution_score_of_9_is_caught_as_984():
    [message] = _messages(seed000(), "funds.execution_score")
    assert "填报为 9" in message and "98.42%" in message and "= 9.84" in message
    [total] = _messages(seed000(), "total.stated")
    assert "99.84" in total


def test_seed000_rate_109_is_caught_as_10991():
    [message] = _messages(seed000(), "funds.rate")
    assert "109%" in message and "109.91%" in message


def test_seed001_cost_actual_20932_against_29032_executed():
    [message] = _messages(seed001(), "tree.cost_vs_funds")
    assert "209.32万元" in message and "290.32万元" in message


def test_seed001_project_weights_60_20_break_the_rule():
    messages = _messages(seed001(), "tree.weights")
    assert len(messages) == 4  # 产出 60 and 效益 20, in each of the two project tables
    assert sum("产出指标分值合计 60" in m for m in messages) == 2
    assert sum("效益指标分值合计 20" in m for m in messages) == 2


def test_a_cent_of_rounding_is_a_warning_more_is_an_error():
    severities = {p.code: p.severity for p in check(seed001()) if p.code.startswith("funds.")}
    assert severities["funds.sources_sum"] == WARNING  # 701.30 against 701.29
    assert severities["funds.projects_sum"] == ERROR  # 403.14 against 582.08


def test_seed003_is_right_in_its_figures():
    codes = {p.code for p in check(seed003())}
    assert not {c for c in codes if c.startswith(("funds.", "total."))}


def test_a_sound_evaluation_has_no_problem():
    assert check(sound_department()) == []


def test_score_above_weight_and_wrong_grade():
    data = sound_department()
    data.indicators[0] = dataclasses.replace(data.indicators[0], score=data.indicators[0].weight + 1)
    data.stated_grade = "良"
    codes = [p.code for p in check(data)]
    assert "tree.score_over_weight" in codes and "total.grade" in codes


def test_low_score_needs_a_deviation_reason():
    data = sound_department()
    qualitative = 6
    data.indicators[qualitative] = dataclasses.replace(data.indicators[qualitative], score=Decimal(13), deviation="")
    data.stated_total = Decimal("97.84")
    assert [p.code for p in check(data)] == ["tree.deviation_missing"]
    data.indicators[qualitative].deviation = "长效机制中的考核办法尚未发文，下年度一季度出台"
    assert check(data) == []


def test_control_rate_must_be_actual_over_quota():
    data = sound_department()
    data.basic.stated_control_rate = Decimal(60)
    [problem] = check(data)
    assert problem.code == "basic.control_rate" and "58.33%" in problem.message


def test_three_public_parts_and_public_items():
    data = sound_department()
    data.basic.rows["car"] = BasicRow(wan("0"), wan("0.5"), wan("0.2"))
    data.basic.rows["office"] = BasicRow(None, None, wan("50"))
    codes = [(p.code, p.place) for p in check(data)]
    assert ("basic.three_public_sum", "基础数据表 · 本年决算数 · 三公经费") in codes
    assert ("basic.public_items", "基础数据表 · 本年决算数 · 公用经费") in codes


def test_every_problem_names_its_place_and_says_what_is_wrong():
    for make in SEEDS.values():
        for p in check(make()):
            assert p.place and p.message and p.severity in (ERROR, WARNING)


def test_recommendations_should_answer_every_numbered_problem():
    data = sound_department()
    data.sections["problems"] = "1、部分单位按期办结率偏低。2、个别网格超期工单较多。"
    data.sections["measures"] = "1、对按期办结率最低的单位开展督办。"
    [problem] = check(data)
    assert problem.code == "report.measures_fewer" and "2 条" in problem.message
    data.sections["measures"] += "2、对超期工单较多的网格实行周调度。"
    assert check(data) == []


def test_a_drafts_blanks_must_be_filled_before_submission():
    data = sound_department()
    data.sections["basic"] = "现有编制数____人。【请补充：内设机构】"
    assert [(p.code, p.place) for p in check(data)] == [("report.placeholder", "自评报告 · 一、部门基本情况")]


def test_a_stated_rate_is_right_at_any_precision_rounded_half_up():
    data = sound_department()
    public = data.funds["public"]
    public.budget, public.executed = wan("20"), wan("18.5")  # 92.5%: printed as 93%, 92.5% or 92.50%

    def public_rate_flagged():
        return any(p.code == "funds.rate" and "公用支出" in p.place for p in check(data))

    for stated in ("93", "92.5", "92.50"):
        public.stated_rate = Decimal(stated)
        assert not public_rate_flagged()
    public.stated_rate = Decimal(92)
    assert public_rate_flagged()
