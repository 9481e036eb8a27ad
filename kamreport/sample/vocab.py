"""The sample's word pools, zh and en side by side, and the names drawn from them.

Every pool holds (zh, en) pairs (or rows that start with one) of the same
size in both languages, so a generator draws the same indices for either
language and the en sample is a translation of the zh one.
"""
from __future__ import annotations

import random

INDUSTRIES = (  # (zh, en, zh name suffixes, en name suffixes)
    ("房地产开发", "Real estate development", ("置业有限公司", "地产集团"), ("Properties Ltd.", "Development Group")),
    ("商业零售", "Retail & malls", ("商业管理有限公司", "购物中心"), ("Retail Holdings", "Shopping Centre")),
    ("产业园区", "Business parks", ("科技园发展有限公司", "产业园运营有限公司"), ("Science Park Co.", "Business Park Operations")),
    ("医疗卫生", "Healthcare", ("医院", "医疗集团"), ("Hospital", "Medical Group")),
    ("教育", "Education", ("国际学校", "教育集团"), ("International School", "Education Group")),
    ("制造业", "Manufacturing", ("精密制造有限公司", "电子有限公司"), ("Precision Manufacturing", "Electronics Co.")),
    ("金融", "Financial services", ("金融中心", "金融服务有限公司"), ("Financial Centre", "Financial Services")),
    ("公共机构", "Public sector", ("会展中心", "政务服务中心"), ("Convention Centre", "Civic Service Centre")),
    ("酒店", "Hospitality", ("酒店管理有限公司", "大酒店"), ("Hotels & Resorts", "Grand Hotel")),
)

CITIES = (  # (zh, en, region index)
    ("上海", "Shanghai", 0), ("杭州", "Hangzhou", 0), ("南京", "Nanjing", 0), ("苏州", "Suzhou", 0),
    ("宁波", "Ningbo", 0), ("深圳", "Shenzhen", 1), ("广州", "Guangzhou", 1), ("厦门", "Xiamen", 1),
    ("北京", "Beijing", 2), ("天津", "Tianjin", 2), ("青岛", "Qingdao", 2), ("成都", "Chengdu", 3),
    ("重庆", "Chongqing", 3), ("西安", "Xi'an", 3), ("武汉", "Wuhan", 4), ("长沙", "Changsha", 4),
)
REGIONS = (("华东", "East China"), ("华南", "South China"), ("华北", "North China"),
           ("西南", "Southwest"), ("华中", "Central China"))

BRANDS = (  # (zh, pinyin/en)
    ("华景", "Huajing"), ("德润", "Derun"), ("瑞丰", "Ruifeng"), ("嘉禾", "Jiahe"), ("恒泰", "Hengtai"),
    ("金桥", "Jinqiao"), ("汇川", "Huichuan"), ("明珠", "Mingzhu"), ("锦华", "Jinhua"), ("鼎盛", "Dingsheng"),
    ("康宁", "Kangning"), ("博远", "Boyuan"), ("海岸", "Haian"), ("泰和", "Taihe"), ("永安", "Yong'an"),
    ("宏图", "Hongtu"), ("君悦", "Junyue"), ("华茂", "Huamao"), ("晨光", "Chenguang"), ("云帆", "Yunfan"),
    ("青松", "Qingsong"), ("致远", "Zhiyuan"), ("安和", "Anhe"), ("启明", "Qiming"), ("长风", "Changfeng"),
    ("盛邦", "Shengbang"), ("弘毅", "Hongyi"), ("凯旋", "Kaixuan"), ("天瑞", "Tianrui"), ("兴业", "Xingye"),
    ("和信", "Hexin"), ("远航", "Yuanhang"), ("同润", "Tongrun"), ("新湖", "Xinhu"), ("蓝湾", "Lanwan"),
    ("翠林", "Cuilin"), ("银河", "Yinhe"), ("东方", "Dongfang"), ("鸿运", "Hongyun"), ("百川", "Baichuan"),
)

SURNAMES = (("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
            ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
            ("高", "Gao"), ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"),
            ("唐", "Tang"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"))
GIVEN = (("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"),
         ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"),
         ("超", "Chao"), ("霞", "Xia"), ("平", "Ping"), ("刚", "Gang"), ("建华", "Jianhua"),
         ("晓东", "Xiaodong"), ("海燕", "Haiyan"), ("志强", "Zhiqiang"), ("丽华", "Lihua"),
         ("文博", "Wenbo"), ("思远", "Siyuan"), ("子涵", "Zihan"), ("雨桐", "Yutong"), ("浩然", "Haoran"),
         ("欣怡", "Xinyi"), ("国庆", "Guoqing"), ("春梅", "Chunmei"), ("立新", "Lixin"))
FIRST_EN = ("Emma", "Oliver", "Sophia", "James", "Olivia", "William", "Ava", "Benjamin", "Isabella",
            "Lucas", "Mia", "Henry", "Charlotte", "Daniel", "Amelia", "Matthew", "Grace", "David",
            "Chloe", "Samuel", "Hannah", "Thomas", "Emily", "Jack", "Lily", "Michael", "Zoe", "Ryan",
            "Sarah", "Nathan")
LAST_EN = ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts",
           "Walker", "Wright", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
           "Harris", "Clarke", "Lewis", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward",
           "Morgan", "King", "Baker")

PRODUCTS = (("综合物业服务", "Integrated property management"), ("保洁服务", "Cleaning services"),
            ("安保服务", "Security services"), ("设备设施维保", "M&E maintenance"),
            ("绿化养护", "Landscaping"), ("能源管理", "Energy management"),
            ("智慧停车", "Smart parking"), ("会议与前台服务", "Reception & meeting services"))

TITLES = (  # (zh, en, likely role, base influence)
    ("总经理", "General Manager", "decision_maker", 5), ("副总经理", "Deputy General Manager", "decision_maker", 4),
    ("采购总监", "Head of Procurement", "decision_maker", 4), ("行政总监", "Director of Administration", "influencer", 4),
    ("财务经理", "Finance Manager", "influencer", 3), ("工程部经理", "Engineering Manager", "champion", 3),
    ("物业经理", "Facilities Manager", "user", 3), ("采购专员", "Procurement Officer", "gatekeeper", 2),
    ("总经理助理", "Assistant to the GM", "gatekeeper", 2), ("运营总监", "Head of Operations", "influencer", 4),
)

COMPETITORS = (("瑞安物业", "Rui'an Property Services"), ("诚安保洁", "Cheng'an Cleaning"),
               ("金盾安保", "Golden Shield Security"), ("中联设施管理", "Zhonglian Facility Management"),
               ("宜居物业服务", "Yiju Property Services"), ("博克楼宇科技", "Boke Building Tech"),
               ("绿洲环境服务", "Oasis Environmental Services"), ("安捷机电维保", "Anjie M&E Maintenance"))
STRENGTHS = (("价格低", "Low price"), ("本地团队响应快", "Fast local response"),
             ("与客户高层关系密切", "Close ties to the client's leadership"),
             ("智慧平台功能完善", "Strong smart-building platform"), ("品牌知名度高", "Well-known brand"),
             ("专业资质齐全", "Full set of certifications"))
WEAKNESSES = (("人员流动大", "High staff turnover"), ("服务标准不统一", "Inconsistent service standards"),
              ("财务状况一般", "Weak finances"), ("缺少能源管理能力", "No energy-management capability"),
              ("响应慢", "Slow response"), ("报价不透明", "Opaque pricing"))

ACTIONS = (("安排我方高层拜访", "Arrange a visit by our executive sponsor"),
           ("提交节能改造方案", "Submit an energy-retrofit proposal"),
           ("召开季度业务回顾会", "Hold the quarterly business review"),
           ("完成现场服务质量审计", "Complete an on-site service quality audit"),
           ("为客户设施团队组织培训", "Train the client's facilities team"),
           ("制定续约报价", "Prepare the renewal offer"),
           ("与客户财务对账并催收", "Reconcile statements and chase payment"),
           ("绘制客户决策链图", "Map the client's decision chain"),
           ("试点智慧停车系统", "Pilot the smart-parking system"),
           ("开展能耗诊断", "Run an energy audit"),
           ("建立投诉周报制度", "Start a weekly complaint report"))
# Each objective with the actions that serve it (indices into ACTIONS).
OBJECTIVES = ((("续签长期服务协议", "Renew the long-term service agreement"), (5, 0, 7)),
              (("满意度提升至 9 分", "Raise satisfaction to 9"), (3, 2, 4)),
              (("拓展能源管理业务", "Expand into energy management"), (9, 1)),
              (("建立高层互访机制", "Set up regular executive exchanges"), (0, 7)),
              (("投诉量下降 30%", "Cut complaints by 30%"), (10, 3, 4)),
              (("提高钱包份额", "Grow share of wallet"), (8, 1, 2)),
              (("回收逾期账款", "Collect overdue receivables"), (6,)))

CONCERNS = (("服务响应速度", "response times"), ("能耗成本", "energy costs"), ("安全合规", "safety compliance"),
            ("人员稳定性", "staff continuity"), ("价格", "price"), ("数字化管理", "digital reporting"))

SUMMARIES = {  # type -> ((zh, en), …); {p} product, {c} contact
    "visit": (("拜访{c}，现场走查**{p}**执行情况", "Visited {c}; walked the site to review **{p}**"),
              ("上门拜访{c}：\n- 回顾{p}服务\n- 了解明年预算", "On-site visit with {c}:\n- reviewed {p}\n- asked about next year's budget"),
              ("陪同高层拜访，{c}对*{p}*表示认可", "Executive visit; {c} praised *{p}*")),
    "meeting": (("季度业务回顾会（QBR），议题：**{p}**", "Quarterly business review, topic: **{p}**"),
                ("与{c}召开项目例会", "Project meeting with {c}"),
                ("方案沟通会：\n1. {p}升级\n2. 报价", "Proposal meeting:\n1. {p} upgrade\n2. pricing")),
    "call": (("电话回访{c}", "Follow-up call with {c}"),
             ("与{c}电话沟通{p}排班", "Call with {c} about {p} scheduling"),
             ("电话确认付款安排", "Call to confirm the payment schedule")),
    "email": (("发送{p}月度服务报告", "Sent the monthly {p} report"),
              ("邮件回复{c}的询价", "Answered {c}'s request for a quote by email"),
              ("发送会议纪要", "Sent the meeting minutes")),
    "care": (("节日问候并送上礼品", "Holiday greetings and a gift"),
             ("{c}生日祝福", "Birthday wishes to {c}"),
             ("中秋慰问", "Mid-Autumn Festival greetings")),
    "training": (("为客户团队提供*{p}*培训", "Ran *{p}* training for the client's team"),
                 ("消防安全培训", "Fire-safety training")),
    "service": (("{p}工单处理", "{p} work order"), ("设备例行巡检", "Routine equipment inspection"),
                ("应急维修：空调故障", "Emergency repair: air-conditioning fault"),
                ("{p}现场加派人员", "Extra {p} staff on site")),
    "complaint": (("**投诉**：{p}不及时", "**Complaint**: {p} not on time"),
                  ("投诉：夜间巡逻缺岗", "Complaint: night patrol missed"),
                  ("{c}投诉卫生间清洁质量", "{c} complained about restroom cleaning")),
}
SURVEY_COMMENTS = (("服务整体满意", "Satisfied overall"), ("希望响应更快", "Would like faster response"),
                   ("保洁质量**明显提升**", "Cleaning quality **clearly better**"),
                   ("价格偏高", "Price is on the high side"), ("项目经理很专业", "Very professional site manager"))

ACTIVITY_WEIGHTS = (("service", 30), ("email", 22), ("call", 18), ("visit", 11), ("meeting", 8),
                    ("care", 4), ("training", 3), ("complaint", 4))
MINUTES = {"visit": (60, 180), "meeting": (45, 120), "call": (5, 30), "email": (5, 15),
           "care": (15, 60), "training": (90, 240), "service": (30, 240), "complaint": (20, 90)}


def pick(lang: str, pair: tuple[str, str]) -> str:
    """The zh or en half of a pair."""
    return pair[0] if lang == "zh" else pair[1]


class Names:
    """Unique names of people and organisations, in one language."""

    def __init__(self, lang: str, rng: random.Random):
        self.lang, self.rng = lang, rng
        self.used: set[str] = set()        # people
        self.companies: set[str] = set()

    def person(self) -> tuple[str, str]:
        """(display name, email local part)."""
        for _ in range(200):
            if self.lang == "zh":
                s, g = self.rng.choice(SURNAMES), self.rng.choice(GIVEN)
                name, local = s[0] + g[0], f"{g[1]}.{s[1]}".lower().replace("'", "")
            else:
                f, s = self.rng.choice(FIRST_EN), self.rng.choice(LAST_EN)
                name, local = f"{f} {s}", f"{f}.{s}".lower()
            if name not in self.used:
                self.used.add(name)
                return name, local
        self.used.clear()   # every combination used: repeats are fine for people
        return self.person()

    def company(self, industry: int) -> tuple[str, str, int]:
        """(name, email domain, city index)."""
        ind = INDUSTRIES[industry]
        for attempt in range(500):
            ci = self.rng.randrange(len(CITIES))
            b = self.rng.choice(BRANDS)
            suf = self.rng.randrange(2)
            city = CITIES[ci]
            if self.lang == "zh":
                name = city[0] + b[0] + ind[2][suf]
            else:
                name = f"{city[1]} {b[1]} {ind[3][suf]}"
            if attempt >= 300:
                name += f" {attempt}" if self.lang == "en" else f"（{attempt}）"
            if name not in self.companies:
                self.companies.add(name)
                domain = f"{b[1].lower().replace(chr(39), '')}-{city[1].lower().replace(chr(39), '')}.com.cn"
                return name, domain, ci
        raise AssertionError("unreachable: numbered names are unique")
