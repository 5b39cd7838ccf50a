"""The four seed reports' tables (/work/shared/seeds) entered as they were filed, mistakes included.

Figures are in 万元 as printed. Where a seed has no table, the figures its narrative states are entered and the
missing tables stay empty — that is itself one of the problems the checks must report.
"""

from decimal import Decimal

from gridgov.selfeval.document import (
    PROJECT, Amounts, BasicData, BasicRow, EvaluationData, Indicator, ProjectLine, indicator_values, wan,
)

OUT, BEN, SAT = "产出指标", "效益指标", "满意度指标"


def money(initial=None, budget=None, executed=None, rate=None) -> Amounts:
    """A fund line from 万元 figures and the 执行率 the table prints."""
    return Amounts(wan(initial), wan(budget), wan(executed), None if rate is None else Decimal(str(rate)))


def ind(level1, level2, name, target, actual, weight, score, deviation="") -> Indicator:
    """An indicator row as printed: 年度指标值 and 实际完成值 exactly as written."""
    return Indicator(level1, level2, name, Decimal(str(weight)), None if score is None else Decimal(str(score)),
                     deviation=deviation, **indicator_values(target, actual))


def basic_rows(**rows) -> dict[str, BasicRow]:
    """Basic-data rows from (上年决算, 本年预算, 本年决算) in 万元."""
    return {key: BasicRow(wan(a), wan(b), wan(c)) for key, (a, b, c) in rows.items()}


def seed000() -> EvaluationData:
    """2021 岳麓区网格化综合服务中心: execution scored 9 where 10 × 98.42% is 9.84, total 99 for 99.84."""
    return EvaluationData(
        unit_name="长沙市岳麓区网格化综合服务中心", year=2021,
        goal="围绕“打造共建共治共享的社会治理格局”总要求，持之以恒地做好网格化综合服务工作。",
        outcome="全年累计处理群众“急难愁盼”问题96000余个（“智慧岳麓”平台12088个、12345政务热线工单84395个），"
                "12345政务热线群众满意度达99.13％，居全市第二。",
        funds={
            "total": money(budget="423.38", executed="416.69", rate=98),
            "fiscal": money(budget="423.38", executed="416.69", rate=98),
            "basic": money(budget="243.38", executed="267.51", rate=109),
            "personnel": money(budget="222.98", executed="252.52", rate=113),
            "public": money(budget="20.4", executed="14.99", rate=73),
            "project": money(budget="180", executed="149.19", rate=83),
        },
        projects=[ProjectLine("网格热线专项经费", money(initial="57", budget="57", executed="38.24", rate=67)),
                  ProjectLine("应急值班经费", money(initial="5")),
                  ProjectLine("网格化工作、考核专项经费", money(initial="93")),
                  ProjectLine("网格工作平台维护专项", money(initial="25"))],
        stated_execution_score=Decimal(9),
        basic=BasicData(staff_quota=6, staff_actual=7, rows=basic_rows(three_public=(None, "0.8", "0"))),
        indicators=[
            ind(OUT, "数量指标", "全年共收集解决民情问题数",
                "全面梳理一、二、三三级网格数量，并和“智慧岳麓”大数据平台保持一致。根据2020年12345市民热线工单等情况，确定重点网格。",
                "全年共收集解决民情问题12088个（“智慧岳麓”平台）。", 10, 10),
            ind(OUT, "数量指标", "12345市民服务热线工单量和群众满意度",
                "全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。",
                "全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。", 10, 10),
            ind(OUT, "质量指标", "定点结对一帮一，网格服务更精准。", "一是帮扶后进网格；二是帮扶困难群众；三是结对共建。",
                "一是帮扶后进网格；二是帮扶困难群众；三是结对共建。", 10, 10),
            ind(OUT, "时效指标", "2021全年", "2021全年", "2021全年", 10, 10),
            ind(OUT, "成本指标", "88712345热线话务员外包项目成本", "38.25万元", "38.25万元", 10, 10),
            ind(BEN, "社会效益指标", "各级各单位全面深入推进工作。", "全区各级各单位各网格长围绕中心，服务大局。",
                "全区各级各单位各网格长围绕中心，服务大局，发挥了网格优势，做出了网格贡献。", 15, 15),
            ind(BEN, "社会效益指标", "一是帮扶后进网格；二是帮扶困难群众；三是结对共建。",
                "1.强化常态走访。2.开展“扶贫帮困”活动。3.切实回应群众“急难愁盼”。",
                "1.全区48个重点帮扶社区（村）、175个重点帮扶三级网格形势转好。2.帮助解决675户结对户“急难愁盼”问题。", 15, 15),
            ind(SAT, "服务对象满意度指标", "不断提升12345热线群众总体满意度",
                "以群众投诉量和满意度为重点考核内容，实行一月一考核、一月一排名、一月一通报、一月一讲评。",
                "全区全年共签收12345热线工单84395件，群众总体满意度99.13%，居全市第二。", 10, 10),
        ],
        stated_total=Decimal(99),
        sections={
            "basic": "长沙市岳麓区网格化综合服务中心负责承担区委群众工作方面的技术性、服务性职能。现有编制人数6人，实有在职人员7人。",
            "general_budget": "区网格化综合服务中心2021年支出合计416.69万元。其中，基本支出267.51万元，项目支出149.19万元。",
            "performance": "理顺体制和机制，经济成本更节约；群众冷暖记心头，问题办理更高效。",
            "problems": "我单位在资金使用上，有一些专项资金无法合理安排且无法估计费用，在具体使用过程中，可能造成使用不平均现象。",
            "measures": "1、细化预算编制工作，认真做好预算的编制。2、加强预算支出的审核、跟踪及预算执行情况分析。3、加强管理，严格执行单位财务制度。",
        },
    )


def _seed001_project_grid_workers() -> EvaluationData:
    return EvaluationData(
        unit_name="株洲市荷塘区网格化管理服务中心", year=2022, kind=PROJECT, project_name="网格员专项经费",
        goal="完善网格化服务管理工作，发挥创新社会治理的实效性，提升社会治理能力和治理水平。",
        outcome="完善网格化服务管理工作，发挥创新社会治理的实效性，提升社会治理能力和治理水平。",
        funds={"total": money("0", "290.32", "290.32", 100), "fiscal": money("0", "290.32", "290.32"),
               "carryover": money("0", "0", "0"), "other": money("0", "0", "0")},
        stated_execution_score=Decimal(10),
        indicators=[
            ind(OUT, "数量指标", "实行网格化管理", "覆盖率≥100%", "覆盖率≥100%", 10, 10),
            ind(OUT, "数量指标", "全面采集、完善基础数据信息", "完成率≥100%", "完成率≥100%", 10, 10),
            ind(OUT, "数量指标", "协助办理民生事项", "完成率≥100%", "完成率≥100%", 10, 10),
            ind(OUT, "质量指标", "网格员在岗率", "在岗率≥100%", "在岗率≥100%", 10, 10),
            ind(OUT, "时效指标", "工作时间", "≤365天/年", "≤365天/年", 10, 10),
            ind(OUT, "成本指标", "网格员工资", "290.32万元", "209.32万元", 10, 10),
            ind(BEN, "社会效益指标", "提供社会服务", "95%", "95%", 10, 9),
            ind(BEN, "可持续影响指标", "网格员队伍能力的提升", "100%", "100%", 10, 9),
            ind(SAT, "服务对象满意度指标", "群众满意度", "≥95%", "≥95%", 10, 9),
        ],
        stated_total=Decimal(97),
    )


def _seed001_project_relief() -> EvaluationData:
    return EvaluationData(
        unit_name="株洲市荷塘区网格化管理服务中心", year=2022, kind=PROJECT, project_name="城乡帮困项目",
        goal="创新基层社会治理方式，实施相对贫困人员精准帮扶项目",
        outcome="创新基层社会治理方式，实施相对贫困人员精准帮扶项目",
        funds={"total": money("0", "85.32", "85.32", 100), "fiscal": money("0", "85.32", "85.32"),
               "carryover": money("0", "0", "0"), "other": money("0", "0", "0")},
        stated_execution_score=Decimal(10),
        indicators=[
            ind(OUT, "数量指标", "城区城乡帮困项目", "≥25个项目", "100%", 10, 10),
            ind(OUT, "数量指标", "农村城乡帮困项目", "≥25个项目", "100%", 10, 10),
            ind(OUT, "数量指标", "项目宣传", "≥95%", "100%", 10, 10),
            ind(OUT, "质量指标", "提供身心陪伴、居家服务、社会参与服务和物质、资金支持为主要内容的“三服务两支持”",
                "≥1100人", "组织活动≥95%", 10, 9),
            ind(OUT, "时效指标", "根据协议时间，按照项目计划书的要求，按时完成各项服务指标", "2022年1月-12月",
                "2022年1月-12月", 10, 10),
            ind(OUT, "成本指标", "成本控制数算", "85.32万元", "85.32万元", 10, 10),
            ind(BEN, "社会效益指标", "提供社会服务", "95%", "95%", 10, 9),
            ind(BEN, "生态效益指标", "建立健全城乡帮困长效机制", "不断优化", "有所提升", 10, 9),
            ind(SAT, "服务对象满意率", "95%", "≥95%", "≥95%", 10, 9),
        ],
        stated_total=Decimal(96),
    )


def seed001() -> EvaluationData:
    """2022 荷塘区网格化管理服务中心: cost actual 209.32 against 290.32 executed, project trees weighted 60/20."""
    return EvaluationData(
        unit_name="株洲市荷塘区网格化管理服务中心", year=2022,
        goal="切实提升困难群众的幸福感和获得感",
        outcome="负责全区网格化建设的统筹、协调、督查、考核，指导。建立健全网格化长效工作机制，完善网格化管理平台的使用、维护和数据更新",
        funds={
            "total": money("126.11", "701.29", "701.29", 100),
            "fiscal": money("126.11", "670.32"),
            "carryover": money(budget="29.58"),
            "other": money(budget="1.4"),
            "basic": money(executed="119.22"),
            "project": money(executed="582.08"),
        },
        projects=[ProjectLine("网格化工作经费", money("27.5", "27.5", "27.5")),
                  ProjectLine("网格员专项经费", money("0", "290.32", "290.32")),
                  ProjectLine("城乡帮困项目", money("0", "85.32", "85.32"))],
        stated_execution_score=Decimal(10),
        basic=BasicData(staff_quota=12, staff_actual=7, stated_control_rate=Decimal(58), rows=basic_rows(
            three_public=("0", "0", "0"), car=("0", "0", "0"), car_purchase=("0", "0", "0"), car_running=("0", "0", "0"),
            abroad=("0", "0", "0"), reception=("0", "0", "0"),
            projects=("297.75", "27.25", "582.08"), project_funds=("297.75", "27.25", "582.08"),
            special_funds=("0", "0", "0"),
            public=("10.89", "15.31", "7.52"), office=("1.52", "5", "0.23"), utilities_travel=("0.1", "0.2", "0.3"),
            meetings_training=("0.2", "0.2", "0.03"),
            procurement=(None, "582", "113.76"), adjustment=(None, "0", "-10.62"))),
        indicators=[
            ind(OUT, "数量指标", "城区城乡帮困项目", "≥25个项目", "100%", 5, 5),
            ind(OUT, "数量指标", "农村城乡帮困项目", "≥25个项目", "100%", 5, 5),
            ind(OUT, "数量指标", "第三方机构服务评估", "≥25个项目", "100%", 5, 5),
            ind(OUT, "数量指标", "项目宣传", "≥95%", "100%", 5, 5),
            ind(OUT, "数量指标", "实行网格化管理", "≥95%", "100%", 5, 5),
            ind(OUT, "质量指标", "提供身心陪伴、居家服务、社会参与服务和物质、资金支持为主要内容的“三服务两支持”帮扶健运行。",
                "≥1100人", "组织活动≥95%", 10, 9),
            ind(OUT, "时效指标", "根据协议时间，按照项目计划书的要求，按时完成各项服务指标", "2022年1月-12月",
                "2022年1月-12月", 5, 5),
            ind(OUT, "成本指标", "成本控制数算", "126.11", "701.29", 10, 9),
            ind(BEN, "经济效益指标", "通过实施城乡帮困，有效缓解服务对象经济困难", "100%", "100%", 10, 9),
            ind(BEN, "社会效益指标", "通过实施城乡帮困，有序引导社会力量对困顿群众进行帮扶", "不断提升", "有所增强", 10, 9),
            ind(BEN, "生态效益指标", "建立健全城乡帮困长效机制", "不断优化", "有所提升", 5, 4),
            ind(BEN, "可持续影响指标", "社会组织满意率≥95%化服务水平", "稳步提升", "有所提升", 5, 5),
            ind(SAT, "服务对象满意度指标", "服务对象满意率", "95%", "≥95%", 5, 5),
            ind(SAT, "服务对象满意度指标", "社会组织满意率", "95%", "≥95%", 5, 5),
        ],
        stated_total=Decimal(95), stated_grade="优",
        sections={
            "basic": "负责全区网格化建设的统筹、协调、督查、考核。本部门共有编制人数12人，实有人数7人。",
            "general_budget": "2022年预算收入671.71万元，其中年初预算126.11万元，调整增加545.6万元。2022年支出701.29万元，"
                              "其中基本支出119.22万元，项目支出582.08万元。",
            "performance": "网格管理成效提升。全区划分网格184个，配备网格人员196人。",
            "problems": "部门预算编制时，因更完整、科学、细化，科室之间统一口径、公允分配。部门还需加强内部控制制度。",
            "measures": "必须建立完善的内部控制制度，才能较好的控制预算开支的量和度，做到财尽其用。",
        },
        children=[_seed001_project_relief(), _seed001_project_grid_workers()],
    )


def seed002() -> EvaluationData:
    """2020 望城区社会治理服务中心: a report without its tables; the project rates 45.33% and 95.16% are right."""
    return EvaluationData(
        unit_name="长沙市望城区社会治理服务中心", year=2020,
        funds={"basic": money(executed="277.84"), "personnel": money(executed="259.78"),
               "public": money(executed="18.06"), "project": money(budget="880", executed="618.15")},
        projects=[ProjectLine("社会治理日常事务", money(budget="440", executed="418.71", rate="95.16")),
                  ProjectLine("社会治理系统运行维护", money(budget="440", executed="199.44", rate="45.33"))],
        sections={
            "basic": "长沙市望城区社会治理服务中心是区政府直属正科级公益类事业单位。2020年度中心实有在职在编人员12人。",
            "general_budget": "人员经费支出259.78万元。公用经费支出18.06万元。2020年度预算安排专项资金880万元。",
            "performance": "稳步推进社会治理“一张网”。12345政务热线共签收上级批转工单38287件，办结36007件。",
            "problems": "在填报2020年整体支出绩效目标表时，主要针对热线平台部室的业务工作设定相关指标，对于网格管理工作未设定绩效指标。",
            "measures": "在填报2021年绩效目标时，将根据中心主要业务工作将指标内容进一步改进和完善。",
        },
    )


def seed003() -> EvaluationData:
    """2022 望城区 “热线+网格、吹哨+报到” 专项: 371.76 of 400 → 92.94% → 9.29, total 99.29 (right); no level-3 tree."""
    reason = "因奖励方案中的零投诉村（社区）数量无法准确预估，导致各季度奖励资金金额存在差异，无法按照预算总额100%拨付到位。"
    return EvaluationData(
        unit_name="长沙市望城区社会治理服务中心", year=2022, kind=PROJECT, project_name="“热线+网格、吹哨+报到”专项资金",
        goal="实现12345政务热线投诉量下降，诉求响应率、问题解决率、群众满意率提升的“一降三提升”工作目标。",
        funds={"total": money("400", "400", "371.76"), "fiscal": money("400", "400", "371.76")},
        stated_execution_score=Decimal("9.29"), execution_reason=reason,
        indicators=[ind(OUT, "", "", "", "", 50, 50), ind(BEN, "", "", "", "", 30, 30), ind(SAT, "", "", "", "", 10, 10)],
        stated_total=Decimal("99.29"),
        sections={
            "basic": "区长办公会议纪要[2021]40号明确在2022年区级财政预算中安排专项预算400万元。",
            "process": "网格管理部整理项目相关资料，了解项目实施和资金支付情况。",
            "performance": "一季度拨付奖励资金891650元、二季度709200元、三季度717750元、四季度999000元、年终400000元，全年共拨付3717600元。",
            "analysis": "2022年度本项目预算批复金额400万元，当年实际使用资金371.76万元。",
            "problems": reason,
            "measures": "无。",
            "other": "无。",
        },
    )


SEEDS = {"000": seed000, "001": seed001, "002": seed002, "003": seed003}
# Quarterly payouts of seed 003, in yuan: they must add up to the 371.76 万元 executed.
SEED003_PAYOUTS = (891650, 709200, 717750, 999000, 400000)
