"""Reference data for the demo district (长沙市岳麓区): streets, departments, categories, channels."""

# Pure constants: importing this module must not touch files, the database or Django.

DISTRICT = ("430104", "岳麓区")

# Copied from shared/data/hunan-streets.csv (统计用区划代码, cut-off 2022-10-31): 001–099 are
# 街道 (urban), 100–199 are 镇 (rural).
STREETS = [
    ("430104001", "望月湖街道", "urban"),
    ("430104002", "岳麓街道", "urban"),
    ("430104003", "桔子洲街道", "urban"),
    ("430104004", "银盆岭街道", "urban"),
    ("430104005", "观沙岭街道", "urban"),
    ("430104006", "望城坡街道", "urban"),
    ("430104007", "西湖街道", "urban"),
    ("430104008", "咸嘉湖街道", "urban"),
    ("430104009", "望岳街道", "urban"),
    ("430104010", "梅溪湖街道", "urban"),
    ("430104011", "麓谷街道", "urban"),
    ("430104012", "坪塘街道", "urban"),
    ("430104013", "含浦街道", "urban"),
    ("430104014", "天顶街道", "urban"),
    ("430104015", "洋湖街道", "urban"),
    ("430104016", "学士街道", "urban"),
    ("430104017", "东方红街道", "urban"),
    ("430104102", "莲花镇", "rural"),
    ("430104105", "雨敞坪镇", "rural"),
]

# Assessment groups: A the old urban core along the Xiang river, B the newer developing
# streets to the west and south, C the rural towns; streets are ranked within their group.
STREET_GROUPS = {
    "A": [
        "430104001", "430104002", "430104003", "430104004", "430104005",
        "430104006", "430104007", "430104008", "430104009",
    ],
    "B": [
        "430104010", "430104011", "430104012", "430104013",
        "430104014", "430104015", "430104016", "430104017",
    ],
    "C": ["430104102", "430104105"],
}

STREET_GROUP_NAMES = {"A": "城区核心街道", "B": "城市发展街道", "C": "乡镇"}

# Only names the gazetteer cannot derive by stripping 街道/镇: the 橘/桔 variant citizens type,
# development-zone names used for the area, and former town names before the 撤镇设街.
STREET_ALIASES = {
    "430104003": ["橘子洲街道", "橘子洲", "橘洲"],
    "430104010": ["梅溪湖新城", "梅溪湖片区"],
    "430104011": ["麓谷高新区", "高新区麓谷"],
    "430104012": ["坪塘镇"],
    "430104013": ["含浦镇"],
    "430104015": ["洋湖新城", "洋湖片区"],
    "430104016": ["学士镇"],
}

# Community names quoted in the 2021 Yuelu self-evaluation (seed 000); used before generated ones.
KNOWN_COMMUNITIES = {
    "430104001": ["岳龙社区"],
    "430104002": ["云麓园社区", "湘桥社区"],
    "430104005": ["观裕社区"],
    "430104008": ["咸嘉湖社区", "西大门社区", "白鹤咀社区"],
    "430104009": ["八方社区"],
    "430104014": ["天源社区"],
}

# Generated names are first + second + suffix ("桃花" + "岭" + "社区"); an empty second gives
# two-syllable names such as "金茂社区".
COMMUNITY_NAME_PARTS = {
    "urban_first": [
        "桃花", "金茂", "学堂", "麓山", "枫林", "桐梓", "银杉", "含光", "望月", "咸嘉",
        "银盆", "观沙", "岳华", "梅溪", "谷苑", "湘江", "橘洲", "天源", "洋湖", "学士",
        "坪塘", "白鹤", "云麓", "西湖", "八方", "岳北", "湘桥", "观裕", "茶子", "金星",
        "新民", "荣湾", "溁湾", "牌楼", "后湖", "靳江", "尖山", "龙王", "黄鹤", "东方",
        "阳光", "景秀", "文昌", "书香", "麓景", "博才", "和平", "桂花", "玉兰", "杜鹃",
        "映日", "长塘", "大塘", "石佳", "三汊", "谷丰", "青山", "碧波", "晴岚", "湖光",
    ],
    "urban_second": [
        "", "", "岭", "坡", "湾", "园", "苑", "里", "坪", "塘",
        "冲", "桥", "港", "山", "湖", "洲", "街", "新村", "家园", "花园",
    ],
    "urban_suffix": "社区",
    "rural_first": [
        "莲花", "雨敞", "桐木", "华山", "金华", "龙洞", "五星", "紫荆", "岳华", "光明",
        "白鹤", "黄桥", "干杉", "双石", "兴隆", "大塘", "新塘", "高塘", "清水", "桃源",
        "枫树", "杉木", "石门", "马鞍", "凤凰", "金鸡", "茶园", "竹林", "柏树", "东塘",
    ],
    "rural_second": ["", "冲", "坪", "塘", "湾", "山", "桥", "岭", "铺", "垅", "坝"],
    "rural_suffix": "村",
    # Residential estates name level-3 grids ("格林星城网格"); the first few come from seed 000.
    "estate_first": [
        "格林", "西子", "银馨", "新诚", "云时代", "锑都", "茶子山", "恒大", "保利", "中建",
        "万科", "金茂", "绿地", "碧桂园", "融科", "中南", "和泓", "湘江", "麓山", "枫林",
        "阳光", "华润", "招商", "龙湖", "卓越", "旭辉", "新城", "美的", "北辰", "佳兆业",
    ],
    "estate_second": [
        "星城", "湖畔", "家园", "小区", "华府", "名城", "花园", "公馆", "国际", "御府",
        "学府", "雅苑", "新村", "湾", "壹号", "天地", "城", "府", "里", "嘉园",
    ],
}

DEPARTMENT_GROUPS = ["党群政务", "经济管理", "社会发展", "垂直管理"]

# (short_code, name, group). Utilities are listed as 垂直管理 because, like the city bureaus'
# branch offices, the district dispatches to them but does not appoint their staff.
DEPARTMENTS = [
    ("zfw", "区委政法委", "党群政务"),
    ("xfj", "区信访局", "党群政务"),
    ("xzsp", "区行政审批服务局", "党群政务"),
    ("wxb", "区委网信办", "党群政务"),
    ("fgj", "区发展和改革局", "经济管理"),
    ("czj", "区财政局", "经济管理"),
    ("swj", "区商务局", "经济管理"),
    ("gxj", "区工业和信息化局", "经济管理"),
    ("nyj", "区农业农村局", "经济管理"),
    ("scj", "区市场监督管理局", "经济管理"),
    ("cgj", "区城市管理和综合执法局", "社会发展"),
    ("zjj", "区住房和城乡建设局", "社会发展"),
    ("jyj", "区教育局", "社会发展"),
    ("rsj", "区人力资源和社会保障局", "社会发展"),
    ("wjj", "区卫生健康局", "社会发展"),
    ("mzj", "区民政局", "社会发展"),
    ("jtj", "区交通运输局", "社会发展"),
    ("slj", "区水利局", "社会发展"),
    ("yjj", "区应急管理局", "社会发展"),
    ("wltj", "区文化旅游体育局", "社会发展"),
    ("ybj", "区医疗保障局", "社会发展"),
    ("zbzx", "区住房保障服务中心", "社会发展"),
    ("ylzx", "区园林绿化中心", "社会发展"),
    ("ggzx", "区公共工程建设中心", "社会发展"),
    ("zgj", "长沙市自然资源和规划局岳麓分局", "垂直管理"),
    ("sthj", "长沙市生态环境局岳麓分局", "垂直管理"),
    ("gaj", "区公安分局", "垂直管理"),
    ("jjdd", "区交警大队", "垂直管理"),
    ("swu", "区税务局", "垂直管理"),
    ("xfjy", "区消防救援大队", "垂直管理"),
    ("gdgs", "岳麓供电分公司", "垂直管理"),
    ("gsgs", "岳麓供水分公司", "垂直管理"),
]

# Nature of a request (诉求类型) decides the default handling limit, as in the 12345 rules:
# 咨询 3, 求助/建议 10, 投诉/举报 15 working days.
NATURES = {
    "consult": ("咨询", (3, "work_days")),
    "help": ("求助", (10, "work_days")),
    "suggest": ("建议", (10, "work_days")),
    "complaint": ("投诉", (15, "work_days")),
    "report": ("举报", (15, "work_days")),
}

# Urgent safety items are counted in clock hours because nobody waits for Monday on a gas leak.
URGENT_SIGN_LIMIT = (1, "hours")
URGENT_HANDLE_LIMIT = (24, "hours")
TERRITORIAL_SIGN_LIMIT = (1, "work_hours")
DEPARTMENT_SIGN_LIMIT = (2, "work_hours")

LIMIT_UNITS = ("hours", "work_hours", "work_days")
HANDLERS = ("territorial", "department", "both")

# Leaf rows: (name, handler, department, nature, weight, keywords[, options]).
# options may set urgent=True, public=False or handle_limit=(n, unit).
# weight is the relative frequency for the simulated year: 物业, 城管 and 欠薪 dominate a
# Changsha district's 12345 load, safety reports are rare.
_URGENT = {"urgent": True}
_PRIVATE = {"public": False}

_CATEGORY_SPEC = [
    ("城市管理", [
        ("市容环境", [
            ("占道经营", "territorial", None, "complaint", 6.0, "占道经营 流动摊贩 摆摊 出店经营 夜市"),
            ("乱张贴乱涂画", "territorial", None, "complaint", 1.2, "牛皮癣 小广告 乱张贴 涂鸦"),
            ("户外广告招牌", "both", "cgj", "complaint", 0.8, "广告牌 招牌 灯箱 横幅"),
            ("垃圾清运不及时", "territorial", None, "complaint", 4.0, "垃圾 清运 垃圾站 垃圾桶 臭味"),
            ("建筑垃圾渣土抛撒", "department", "cgj", "report", 1.5, "渣土车 抛撒 建筑垃圾 偷倒"),
        ]),
        ("违法建设", [
            ("违章搭建", "both", "cgj", "report", 5.0, "违章搭建 违建 加建 阳光房 楼顶"),
            ("小区违规装修", "territorial", None, "complaint", 2.0, "装修 拆承重墙 违规装修 封阳台"),
        ]),
        ("市政设施", [
            ("路灯不亮", "department", "cgj", "help", 2.5, "路灯 不亮 照明 太黑"),
            ("道路破损", "department", "cgj", "help", 2.0, "道路 破损 坑洼 人行道 地砖"),
            ("下水道堵塞", "both", "cgj", "help", 3.0, "下水道 堵塞 排水 污水 反水 化粪池"),
            ("井盖缺失破损", "department", "cgj", "report", 1.0, "井盖 缺失 破损 塌陷", _URGENT),
        ]),
        ("园林绿化", [
            ("树木修剪", "department", "ylzx", "help", 1.5, "树木 修剪 树枝 遮挡 倒伏"),
            ("绿地毁损", "department", "ylzx", "complaint", 0.5, "绿地 草坪 毁绿 种菜"),
        ]),
        ("社会生活噪声", [
            ("商业经营噪声", "both", "cgj", "complaint", 3.0, "噪音 扰民 音响 喇叭 商铺 酒吧"),
            ("广场舞噪声", "territorial", None, "complaint", 1.5, "广场舞 噪音 音响 扰民"),
        ]),
    ]),
    ("物业管理", [
        ("物业服务", [
            ("物业服务质量", "both", "zjj", "complaint", 8.0, "物业 服务差 保洁 保安 不作为"),
            ("物业收费争议", "both", "zjj", "complaint", 4.0, "物业费 收费 停车费 乱收费"),
            ("小区公共收益", "both", "zjj", "complaint", 1.0, "公共收益 广告收益 账目 公示"),
            ("物业退出与交接", "department", "zjj", "complaint", 0.8, "物业交接 退出 更换物业 招标"),
        ]),
        ("小区设施设备", [
            ("电梯故障", "both", "scj", "complaint", 4.0, "电梯 故障 停运 困人 维保"),
            ("二次供水", "both", "zjj", "complaint", 1.5, "二次供水 水压 水质 水箱"),
            ("小区停车管理", "territorial", None, "complaint", 3.0, "停车 车位 乱停 道闸"),
            ("电动车充电停放", "territorial", None, "report", 2.0, "电动车 充电 飞线 楼道 停放"),
        ]),
        ("业主自治", [
            ("业委会成立与选举", "territorial", None, "consult", 1.0, "业委会 业主大会 选举 备案"),
            ("专项维修资金", "department", "zjj", "consult", 1.5, "维修资金 维修基金 使用 申请"),
        ]),
    ]),
    ("消费维权", [
        ("商品质量", [
            ("商品质量问题", "department", "scj", "complaint", 2.0, "质量 假货 以次充好 三包"),
            ("食品安全", "department", "scj", "report", 2.5, "食品 过期 变质 卫生 餐馆 拉肚子"),
            ("虚假宣传", "department", "scj", "report", 1.0, "虚假宣传 广告 夸大"),
        ]),
        ("服务消费", [
            ("预付卡退费", "department", "scj", "complaint", 4.0, "预付卡 退费 办卡 健身房 美容 跑路"),
            ("拒绝退换货", "department", "scj", "complaint", 2.0, "退货 换货 拒绝退款 售后"),
            ("价格欺诈", "department", "scj", "report", 1.0, "价格 欺诈 明码标价 乱收费"),
            ("网络购物纠纷", "department", "scj", "complaint", 1.0, "网购 电商 直播带货 快递"),
        ]),
    ]),
    ("教育培训", [
        ("校外培训", [
            ("校外培训退费", "department", "jyj", "complaint", 3.0, "培训 退费 课时费 机构 跑路"),
            ("无证办学", "department", "jyj", "report", 1.0, "无证 办学 托管 补课"),
        ]),
        ("学校管理", [
            ("入学政策咨询", "department", "jyj", "consult", 2.5, "入学 招生 报名 学籍 转学"),
            ("学位划片", "department", "jyj", "complaint", 1.5, "学位 划片 学区 对口"),
            ("学校收费", "department", "jyj", "complaint", 0.8, "学校 收费 资料费 校服"),
            ("校园周边安全", "both", "jyj", "suggest", 0.5, "校园 周边 安全 接送 上学"),
        ]),
        ("学前教育", [
            ("幼儿园管理", "department", "jyj", "complaint", 1.0, "幼儿园 收费 伙食 入园"),
        ]),
    ]),
    ("道路交通", [
        ("公共交通", [
            ("公交线路与站点", "department", "jtj", "suggest", 2.0, "公交 线路 站点 班次 增设"),
            ("公交服务质量", "department", "jtj", "complaint", 1.0, "公交 司机 甩站 态度"),
            ("出租车网约车", "department", "jtj", "complaint", 1.0, "出租车 网约车 拒载 绕路 议价"),
        ]),
        ("道路通行", [
            ("交通信号灯故障", "department", "jjdd", "report", 1.5, "红绿灯 信号灯 故障 不亮", _URGENT),
            ("违章停车", "department", "jjdd", "complaint", 3.0, "违停 乱停车 占道停车 堵路"),
            ("交通拥堵", "department", "jjdd", "suggest", 1.0, "拥堵 堵车 高峰 路口"),
            ("交通标志标线", "department", "jjdd", "suggest", 0.8, "标线 标志 斑马线 减速带"),
        ]),
        ("道路建设", [
            ("道路建设进度", "department", "ggzx", "consult", 1.0, "道路 修建 断头路 进度 通车"),
            ("施工围挡占道", "both", "ggzx", "complaint", 0.8, "围挡 施工 占道 绕行"),
        ]),
    ]),
    ("劳资纠纷", [
        ("工资报酬", [
            ("拖欠工资", "both", "rsj", "complaint", 6.0, "拖欠工资 欠薪 工资 老板 不发"),
            ("工程项目欠薪", "both", "rsj", "complaint", 3.0, "农民工 工地 欠薪 包工头 工程款"),
            ("加班费与最低工资", "department", "rsj", "complaint", 1.0, "加班费 最低工资 克扣"),
        ]),
        ("劳动关系", [
            ("未签劳动合同", "department", "rsj", "complaint", 1.5, "劳动合同 未签 试用期"),
            ("违法解除劳动合同", "department", "rsj", "complaint", 1.5, "辞退 解除 赔偿 经济补偿"),
            ("工伤认定咨询", "department", "rsj", "consult", 1.0, "工伤 认定 鉴定 赔偿"),
        ]),
    ]),
    ("环境保护", [
        ("大气污染", [
            ("餐饮油烟污染", "both", "cgj", "complaint", 3.0, "油烟 餐馆 排烟 烧烤 熏"),
            ("工业废气异味", "department", "sthj", "report", 1.0, "废气 异味 臭味 工厂 排放"),
            ("露天焚烧", "territorial", None, "report", 1.0, "焚烧 烧垃圾 秸秆 烟雾"),
        ]),
        ("噪声污染", [
            ("建筑工地夜间施工", "both", "cgj", "complaint", 4.0, "夜间施工 工地 噪音 扰民 打桩"),
            ("工业企业噪声", "department", "sthj", "complaint", 0.8, "工厂 噪音 机器 设备"),
        ]),
        ("水污染", [
            ("河道污染", "both", "slj", "report", 1.0, "河道 污染 黑臭 垃圾 死鱼"),
            ("污水直排", "department", "sthj", "report", 1.0, "污水 直排 偷排 管道"),
        ]),
        ("固体废物", [
            ("危险废物非法倾倒", "department", "sthj", "report", 0.3, "危废 倾倒 化学品 废油", _URGENT),
        ]),
    ]),
    ("社会保障", [
        ("社会保险", [
            ("养老保险咨询", "department", "rsj", "consult", 3.0, "养老保险 退休 社保 缴费 养老金"),
            ("失业保险", "department", "rsj", "consult", 1.0, "失业保险 失业金 领取"),
            ("社保卡办理", "department", "rsj", "consult", 1.0, "社保卡 补办 激活"),
        ]),
        ("医疗保障", [
            ("医保报销", "department", "ybj", "consult", 2.5, "医保 报销 异地 住院 门诊"),
            ("医保参保缴费", "department", "ybj", "consult", 2.0, "医保 参保 缴费 居民医保"),
        ]),
        ("社会救助", [
            ("低保申请", "both", "mzj", "help", 1.5, "低保 申请 困难 救助"),
            ("特困供养", "department", "mzj", "help", 0.5, "特困 供养 五保"),
            ("残疾人帮扶", "both", "mzj", "help", 0.8, "残疾 残疾证 补贴 帮扶"),
        ]),
        ("养老服务", [
            ("养老机构服务", "department", "mzj", "complaint", 0.5, "养老院 敬老院 护理"),
            ("居家养老服务", "territorial", None, "help", 0.5, "居家养老 助餐 老人 独居"),
            ("高龄津贴", "department", "mzj", "consult", 0.8, "高龄 津贴 补贴 老年"),
        ]),
    ]),
    ("住房建设", [
        ("房地产", [
            ("商品房延期交房", "department", "zjj", "complaint", 2.0, "交房 延期 烂尾 开发商"),
            ("房屋质量问题", "department", "zjj", "complaint", 2.0, "漏水 开裂 质量 渗水"),
            ("不动产证办理", "department", "zgj", "consult", 2.0, "房产证 不动产证 办证 过户"),
            ("房屋中介纠纷", "department", "zjj", "complaint", 0.8, "中介 租房 押金 二手房"),
        ]),
        ("保障性住房", [
            ("公租房申请", "department", "zbzx", "consult", 1.0, "公租房 保障房 申请 轮候"),
            ("征收拆迁安置", "both", "zjj", "complaint", 1.0, "拆迁 征收 安置 补偿"),
        ]),
        ("房屋安全", [
            ("危房安全隐患", "both", "zjj", "report", 0.5, "危房 开裂 倒塌 隐患", _URGENT),
            ("工地施工安全", "department", "zjj", "report", 0.8, "工地 安全 塔吊 脚手架"),
        ]),
    ]),
    ("医疗卫生", [
        ("医疗服务", [
            ("医疗服务态度", "department", "wjj", "complaint", 1.0, "医院 医生 态度 挂号"),
            ("医疗纠纷", "department", "wjj", "complaint", 0.8, "医疗 纠纷 误诊 事故"),
            ("非法行医", "department", "wjj", "report", 0.3, "黑诊所 非法行医 无证", _PRIVATE),
        ]),
        ("公共卫生", [
            ("疫苗接种咨询", "department", "wjj", "consult", 1.0, "疫苗 接种 预约 社区医院"),
            ("病媒生物防治", "territorial", None, "help", 0.8, "老鼠 蟑螂 蚊子 消杀"),
            ("妇幼与生育服务", "department", "wjj", "consult", 0.5, "生育 出生证明 母婴 育儿补贴"),
        ]),
    ]),
    ("公共安全", [
        ("安全生产", [
            ("燃气安全隐患", "both", "cgj", "report", 1.5, "燃气 煤气 泄漏 液化气 气味", _URGENT),
            ("消防通道堵塞", "both", "xfjy", "report", 2.0, "消防通道 堵塞 消防栓 灭火器"),
            ("非法经营危化品", "department", "yjj", "report", 0.3, "危化品 非法 储存 汽油", _PRIVATE),
            ("安全生产隐患", "department", "yjj", "report", 0.8, "安全生产 隐患 违规作业"),
            ("架空线缆杂乱", "both", "gxj", "complaint", 0.8, "线缆 飞线 电线 杂乱 弱电"),
        ]),
        ("社会治安", [
            ("治安隐患", "both", "gaj", "report", 1.0, "治安 偷盗 可疑 监控", _PRIVATE),
            ("邻里纠纷", "territorial", None, "help", 2.0, "邻居 纠纷 矛盾 漏水 调解"),
            ("电信网络诈骗", "department", "gaj", "report", 0.5, "诈骗 电信 网络 刷单", _PRIVATE),
            ("户籍办理咨询", "department", "gaj", "consult", 1.5, "户口 落户 迁移 身份证 居住证"),
        ]),
        ("自然灾害", [
            ("地质灾害隐患", "department", "zgj", "report", 0.2, "滑坡 塌方 山体 地质灾害", _URGENT),
            ("防汛排渍", "both", "slj", "report", 0.5, "渍水 内涝 防汛 积水", _URGENT),
            ("森林火情", "territorial", None, "report", 0.2, "山火 林火 烟 火情 烧山", _URGENT),
        ]),
    ]),
    ("农业农村", [
        ("农业生产", [
            ("农资质量", "department", "nyj", "complaint", 0.3, "农药 化肥 种子 农资"),
            ("农田水利", "both", "slj", "help", 0.3, "灌溉 水渠 山塘 农田"),
            ("非法占用耕地", "department", "zgj", "report", 0.5, "耕地 占用 基本农田 违建"),
            ("动物防疫", "department", "nyj", "report", 0.2, "动物 防疫 病死猪 犬只"),
        ]),
        ("农村管理", [
            ("农村宅基地", "department", "nyj", "consult", 0.5, "宅基地 建房 审批 农房"),
            ("村务公开", "territorial", None, "complaint", 0.3, "村务 公开 账目 村委"),
            ("乡村道路", "both", "jtj", "help", 0.3, "村道 通组公路 硬化 白改黑"),
        ]),
    ]),
    ("政务服务", [
        ("办事服务", [
            ("办事指南咨询", "department", "xzsp", "consult", 2.0, "办事 流程 材料 营业执照 窗口"),
            ("政务服务效率", "department", "xzsp", "complaint", 0.8, "办事 效率 推诿 窗口 态度"),
            ("政策意见建议", "department", "fgj", "suggest", 0.5, "建议 规划 营商环境 政策"),
        ]),
        ("涉税与财政", [
            ("纳税缴费咨询", "department", "swu", "consult", 1.0, "纳税 个税 发票 退税"),
            ("涉企补贴资金", "department", "czj", "consult", 0.4, "补贴 补助 资金 拨付"),
        ]),
    ]),
    ("公用事业", [
        ("水电气", [
            ("停电与供电故障", "department", "gdgs", "help", 1.5, "停电 跳闸 电压 供电", _URGENT),
            ("停水与供水故障", "department", "gsgs", "help", 1.5, "停水 水管 爆管 水压", _URGENT),
            ("通信网络信号", "department", "gxj", "complaint", 0.5, "信号 宽带 基站 网络"),
        ]),
    ]),
    ("文化旅游", [
        ("文旅市场", [
            ("景区服务", "department", "wltj", "complaint", 0.8, "景区 岳麓山 门票 游客"),
            ("文化娱乐场所", "department", "wltj", "report", 0.3, "网吧 KTV 未成年人 娱乐场所"),
            ("体育健身设施", "department", "wltj", "suggest", 0.5, "健身器材 球场 体育设施"),
        ]),
    ]),
]


def _build_categories(spec):
    """Turn the compact spec into the nested tree with hierarchical codes."""
    tree = []
    for i, (name1, groups) in enumerate(spec, start=1):
        code1 = f"{i:02d}"
        children1 = []
        for j, (name2, leaves) in enumerate(groups, start=1):
            code2 = f"{code1}{j:02d}"
            children2 = []
            for k, row in enumerate(leaves, start=1):
                name, handler, dept, nature, weight, keywords = row[:6]
                options = row[6] if len(row) > 6 else {}
                urgent = options.get("urgent", False)
                if urgent:
                    sign_limit, handle_limit = URGENT_SIGN_LIMIT, URGENT_HANDLE_LIMIT
                else:
                    sign_limit = TERRITORIAL_SIGN_LIMIT if handler == "territorial" else DEPARTMENT_SIGN_LIMIT
                    handle_limit = NATURES[nature][1]
                children2.append({
                    "code": f"{code2}{k:02d}",
                    "name": name,
                    "handler": handler,
                    "department": dept,
                    "nature": nature,
                    "sign_limit": sign_limit,
                    "handle_limit": options.get("handle_limit", handle_limit),
                    "urgency": "urgent" if urgent else "normal",
                    "public": options.get("public", True),
                    "keywords": keywords.split(),
                    "weight": weight,
                })
            children1.append({"code": code2, "name": name2, "children": children2})
        tree.append({"code": code1, "name": name1, "children": children1})
    return tree


# 责任清单: [{code, name, children: [{code, name, children: [leaf, ...]}]}]. A leaf has code,
# name, handler, department (short_code or None), nature, sign_limit, handle_limit (amount,
# unit), urgency, public, keywords, weight.
CATEGORIES = _build_categories(_CATEGORY_SPEC)

# Flat leaf list with the first- and second-level codes, for the simulation's weighted draws.
CATEGORY_LEAVES = [
    {**leaf, "class_code": c1["code"], "class_name": c1["name"], "group_code": c2["code"]}
    for c1 in CATEGORIES
    for c2 in c1["children"]
    for leaf in c2["children"]
]

# (code, name, weight, prefix). Weights follow seed 002: 12345 is ~85% of the load, 区长信箱
# ~3%, 雷锋580 ~1.5%, 林火预警 a few hundred a year. prefix starts the ticket number.
# How often each standard channel (gridgov/tickets/channels.py) brings a ticket in the simulated year, in percent.
CHANNEL_WEIGHTS = {
    "h12345": 85.0, "district_hotline": 3.0, "mayor_mailbox": 1.5, "head_mailbox": 1.5, "patrol": 3.5, "whistle": 0.6,
    "online": 1.5, "leifeng580": 1.5, "forest_fire": 0.2, "open311": 0.4, "self_report": 1.3,
}

SURNAMES = [
    "刘", "李", "陈", "王", "张", "周", "彭", "谭", "曾", "罗", "唐", "黄", "杨", "胡", "邓",
    "肖", "赵", "吴", "徐", "孙", "朱", "何", "高", "林", "郭", "马", "梁", "谢", "宋", "许",
    "贺", "龙", "廖", "蒋", "易", "蔡", "欧阳", "袁", "文", "颜", "熊", "邹", "姜", "龚", "毛",
    "雷", "汤", "向", "夏", "钟", "尹", "左", "田", "聂", "喻", "戴", "苏", "郑", "潘", "陶",
]

GIVEN_NAMES = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "建国", "志强", "海燕", "红梅", "丹",
    "湘", "岳", "思远", "子涵", "雨轩", "浩然", "梓萱", "欣怡", "一鸣", "佳怡", "俊杰", "晓东",
    "文华", "国庆", "春花", "小红", "德明", "建军", "玉兰", "立新", "卫东", "慧", "婷", "鹏",
    "宇", "晨", "琳", "斌", "辉", "凯", "颖", "倩", "鑫", "悦", "振华", "湘云", "麓生",
]

ROADS = [
    "麓山南路", "麓山路", "枫林一路", "枫林二路", "枫林三路", "岳麓大道", "金星中路", "金星北路",
    "桐梓坡路", "望岳路", "含浦大道", "潇湘中路", "潇湘南路", "潇湘北路", "银杉路", "东方红路",
    "银盆南路", "岳华路", "咸嘉湖路", "茶子山路", "谷苑路", "梅溪湖路", "环湖路", "雷锋大道",
    "旺龙路", "玉兰路", "杜鹃路", "坪塘大道", "学士路", "洋湖大道", "观沙路", "西湖路",
    "云栖路", "许龙路", "尖山路", "靳江路", "桃花岭路", "望月湖路", "岳麓山路", "麓谷大道",
]

# Ticket text per first-level class: (title, description). Placeholders: {place} an address,
# {estate} an estate name, {leaf} the leaf category name, {street} the street name,
# {amount} a sum in yuan, {months} a number of months, {hour} an hour of the day.
TEMPLATE_FIELDS = ("place", "estate", "leaf", "street", "amount", "months", "hour")

TITLE_TEMPLATES = {
    "城市管理": [
        ("{place}{leaf}", "来电人反映：{place}附近长期存在{leaf}问题，影响市容和通行，希望城管部门尽快处理。"),
        ("反映{street}{leaf}问题", "市民反映{street}{place}一带{leaf}情况严重，已持续多日，诉求相关部门整治。"),
        ("{estate}周边{leaf}", "来电人称{estate}门口及周边{leaf}，每天{hour}点后尤为突出，多次反映未解决。"),
    ],
    "物业管理": [
        ("{estate}{leaf}", "来电人系{estate}业主，反映小区{leaf}问题，与物业公司多次沟通无果，希望主管部门督促整改。"),
        ("投诉{estate}物业", "市民反映{place}{estate}物业公司存在{leaf}问题，业主意见很大，诉求尽快处理。"),
        ("{estate}业主反映{leaf}", "来电人称其居住的{estate}近{months}个月来{leaf}问题一直未解决，要求相关部门介入。"),
    ],
    "消费维权": [
        ("{leaf}投诉", "来电人反映其在{place}一商户消费{amount}元，遇到{leaf}问题，商家拒不处理，诉求维权。"),
        ("{place}商户{leaf}", "市民反映{place}某店铺存在{leaf}情况，涉及金额{amount}元，希望市场监管部门查处。"),
    ],
    "教育培训": [
        ("{leaf}问题", "来电人反映孩子在{place}附近一培训机构/学校遇到{leaf}问题，涉及费用{amount}元，诉求处理。"),
        ("咨询{leaf}", "家长来电咨询{street}{leaf}相关政策，希望教育部门予以答复。"),
    ],
    "道路交通": [
        ("{place}{leaf}", "来电人反映{place}{leaf}，早晚高峰影响通行安全，希望相关部门尽快处理。"),
        ("建议解决{street}{leaf}", "市民建议解决{street}{place}一带{leaf}问题，方便群众出行。"),
    ],
    "劳资纠纷": [
        ("{leaf}", "来电人反映在{place}一公司/工地工作，遇到{leaf}问题，涉及金额{amount}元、时间{months}个月，诉求协调。"),
        ("反映{leaf}问题", "{street}来电人称其与用人单位发生{leaf}纠纷，单位拒不处理，希望劳动监察部门介入。"),
    ],
    "环境保护": [
        ("{place}{leaf}", "来电人反映{place}附近{leaf}，每天{hour}点前后最为严重，严重影响周边居民生活。"),
        ("{estate}附近{leaf}", "市民反映{estate}附近存在{leaf}情况，持续{months}个月，诉求环保部门查处。"),
    ],
    "社会保障": [
        ("咨询{leaf}", "来电人咨询{leaf}相关政策及办理流程，希望相关部门予以解答。"),
        ("{leaf}问题求助", "{street}居民反映在办理{leaf}过程中遇到困难，希望相关部门给予帮助。"),
    ],
    "住房建设": [
        ("{estate}{leaf}", "来电人系{estate}业主，反映{leaf}问题，已持续{months}个月，诉求住建部门督促解决。"),
        ("反映{leaf}", "市民反映{place}{leaf}，与开发商/相关单位协商未果，希望尽快处理。"),
    ],
    "医疗卫生": [
        ("{leaf}", "来电人反映在{place}附近医疗机构遇到{leaf}问题，希望卫健部门调查处理。"),
        ("咨询{leaf}", "{street}居民来电咨询{leaf}相关事宜，希望予以答复。"),
    ],
    "公共安全": [
        ("{place}{leaf}", "来电人反映{place}存在{leaf}，存在较大安全隐患，请相关部门立即核查处置。"),
        ("{estate}{leaf}", "市民反映{estate}{leaf}情况，担心发生危险，希望尽快处理。"),
    ],
    "农业农村": [
        ("{street}{leaf}", "村民反映{street}{place}一带{leaf}问题，影响生产生活，希望相关部门协调解决。"),
        ("反映{leaf}", "来电人称其所在村组存在{leaf}问题，已持续{months}个月，诉求处理。"),
    ],
    "政务服务": [
        ("咨询{leaf}", "来电人咨询{leaf}相关事项的办理流程及所需材料。"),
        ("反映{leaf}问题", "市民反映在{street}办理业务时遇到{leaf}问题，希望改进。"),
    ],
    "公用事业": [
        ("{estate}{leaf}", "来电人反映{estate}出现{leaf}情况，自{hour}点起至今未恢复，影响居民生活，请尽快抢修。"),
        ("{place}{leaf}", "市民反映{place}一带{leaf}，希望相关单位尽快处理。"),
    ],
    "文化旅游": [
        ("{leaf}", "来电人反映{place}附近{leaf}相关问题，希望文旅部门处理。"),
        ("建议改善{leaf}", "{street}居民建议改善{leaf}，方便群众。"),
    ],
}
