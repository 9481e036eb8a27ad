"""`kamreport init` (SPEC §7): a realistic sample workbook, or a blank template.

The sample is a property-management / facility-services company's key-account
portfolio: customers (developers, malls, parks, hospitals, schools, plants…),
24 months of sales (2024-10 … 2026-09, so the default period is 2026Q3),
activities, contacts, surveys, action plans, competitors and settings.

It is generated in two steps:

1. `sample_dataset()` draws the portfolio as `model` records (the same frozen
   records the reader produces), from `random.Random(seed)` only, never the
   wall clock. Numbers do not depend on the language: the zh and en samples of
   one seed hold the same figures, only names and labels differ (names come
   from a second generator).
2. `write_workbook()` writes those records with openpyxl in write-only mode
   (fast enough for `--customers 700`, > 200,000 activity rows), and on the
   way makes a few cells "messy" the way real exports are — title rows above
   the table, dates typed as text (`2026年7月15日`), money as `12.53万` or
   `¥125,300`, percents as `8.5%` — all of them valid per SPEC §1, so the
   committed samples have no errors.

The data is designed against the rules of SPEC §3–§4 for period 2026Q3 so
that every tier, ABC class, relationship type and risk code occurs (with
`customers` ≥ about 60; the default is 150):

- revenue follows a stratified log-normal (Pareto-like) with one dominant
  customer (> 20 % of revenue: CONCENTRATION), so about 7 % of customers are
  class A; designated, agreement and high-potential accounts add the other
  key accounts (≈ 13–14 % key in all);
- prospects have a wallet but no sales (attractive: tier prospect); the
  unattractive ones are small, shrinking and of little strategic fit; lapsed
  customers (last sale 2025Q3) and new wins (first sale 2026Q3) move tier;
- risk "stories" are assigned to a share of customers: sharp decline, low or
  falling satisfaction, neglected contact, an old open complaint, an expiring
  agreement, overdue actions, declining relationship, overdue receivables,
  and one key account without an account manager.
"""
from __future__ import annotations

import math
import os
import random
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import NormalDist

from ..inputs import schema
from ..errors import KamError
from ..model import Activity, Birthday, Competitor, Contact, Customer, Dataset, Loc, Plan, Sale, Staff, Survey

AS_OF = date(2026, 9, 30)
MONTHS = tuple(date(2024 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(24))  # 2024-10 … 2026-09
FIRST_DAY = MONTHS[0]
SAMPLE_FILE = "sample"
MAX_CUSTOMERS = 2500

# Header row (1-based) per sheet: a title row (and a note) above some tables,
# as in real exports; the reader finds the header among the first 10 rows.
HEADER_ROW = {"Customers": 3, "Sales": 2}

# Seasonality of facility-services revenue: Spring Festival dip in February,
# summer cooling (energy management) and year-end project work in December.
SEASON = {1: 0.97, 2: 0.88, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.03, 7: 1.06, 8: 1.06,
          9: 1.02, 10: 0.98, 11: 1.0, 12: 1.12}


# --------------------------------------------------------------------------
# Vocabulary, zh and en side by side so both samples have the same shape.

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


def _pick(lang: str, pair: tuple[str, str]) -> str:
    return pair[0] if lang == "zh" else pair[1]


# --------------------------------------------------------------------------
# Step 1: the portfolio as records.

@dataclass
class _Plan:
    """One customer's storyline, drawn before its records."""
    idx: int
    cid: str
    kind: str                      # active | new | lapsed | prospect | unattractive
    base: float = 0.0              # yearly revenue around the TTM
    growth: float = 0.0            # yearly trend
    step_down: bool = False        # lost a site at the start of 2026Q3
    flags: set[str] = field(default_factory=set)
    products: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()
    margin: float = 0.2


def _counts(n: int) -> dict[str, int]:
    """Customers per storyline; at least one active customer."""
    def r(x: float) -> int:
        return int(x * n + 0.5)
    c = {"unattractive": r(0.08), "lapsed": r(0.03), "prospect": r(0.25), "new": r(0.02)}
    while sum(c.values()) > n - 1:
        k = max(c, key=lambda k: c[k])
        c[k] -= 1
    c["active"] = n - sum(c.values())
    return c


def _storylines(n: int, rng: random.Random) -> list[_Plan]:
    counts = _counts(n)
    kinds = [k for k in ("active", "new", "lapsed", "prospect", "unattractive") for _ in range(counts[k])]
    plans = [_Plan(i, f"C{i + 1:04d}", k) for i, k in enumerate(kinds)]
    rng.shuffle(plans)  # ids are not sorted by storyline
    for i, p in enumerate(plans):
        p.idx = i
        p.cid = f"C{i + 1:04d}"
    actives = [p for p in plans if p.kind == "active"]

    # Pareto-like revenue: stratified log-normal quantiles (stable shares for
    # any n and seed), median ¥600k a year, σ 1.8 so that about the top 8 %
    # hold 70 % of gross profit; then one dominant customer.
    m = len(actives)
    nd = NormalDist()
    ranks = list(range(m))
    rng.shuffle(ranks)
    for p, r in zip(actives, ranks):
        q = 1 - (r + 0.5) / m
        p.base = math.exp(math.log(6.0e5) + 1.8 * nd.inv_cdf(q)) * rng.uniform(0.93, 1.07)
    actives.sort(key=lambda p: -p.base)
    if m >= 3:
        # 0.3 × the others: about 23 % of the portfolio (> 20 %: CONCENTRATION).
        actives[0].base = 0.3 * sum(p.base for p in actives[1:])
        actives[0].flags.add("giant")
    a_zone = max(1, int(0.11 * m + 0.5))      # expected class A and a margin
    for p in actives[:a_zone]:
        p.flags.add("top")

    # Key accounts for other reasons than ABC, from the middle and the tail.
    pool = actives[a_zone:]
    rng.shuffle(pool)

    def take(flag: str, k: int) -> None:
        for p in pool[:k]:
            p.flags.add(flag)
        del pool[:k]

    def r(x: float, lo: int = 0) -> int:
        return max(lo, int(x * n + 0.5)) if m >= 10 else 0

    take("designated", r(0.015, 1))
    take("agreement", r(0.02, 2))            # active agreement, no other reason
    expiring = [p for p in actives if "agreement" in p.flags]
    for j, p in enumerate(expiring[:2]):
        p.flags.add("expiring_30" if j == 0 else "expiring_90")   # CONTRACT_EXPIRING high / medium
    take("high_potential", r(0.015, 1))
    take("agreement_ended_q3", r(0.01, 1))   # key at PQ, ordinary now: a move down
    take("agreement_expired", r(0.03))       # old agreement, long expired
    designated = [p for p in actives if "designated" in p.flags]
    if designated:
        designated[0].flags.add("no_manager")
    prospects = [p for p in plans if p.kind == "prospect"]
    if len(prospects) >= 8:
        prospects[0].flags.add("designated")  # leadership's new target: key without sales

    # Trends. Sharp decline (REVENUE_DROP) for ~12 % of actives, never the giant.
    for p in actives:
        u = rng.random()
        if "giant" in p.flags or "high_potential" in p.flags:
            p.growth = rng.uniform(0.06, 0.15) if "giant" in p.flags else rng.uniform(0.25, 0.45)
        elif u < 0.12:
            p.growth = rng.uniform(-0.55, -0.32)
            p.flags.add("decline")
            p.step_down = rng.random() < 0.4
        elif u < 0.27:
            p.growth = rng.uniform(-0.12, -0.03)
        elif u < 0.62:
            p.growth = rng.uniform(-0.03, 0.05)
        else:
            p.growth = rng.uniform(0.05, 0.30)

    # Risk storylines, independent of tier so every tier shows some.
    def mark(flag: str, share: float, among: list[_Plan], lo: int = 1) -> None:
        k = min(len(among), max(lo, int(share * len(among) + 0.5)))
        for p in rng.sample(among, k):
            p.flags.add(flag)

    plain = [p for p in actives if "giant" not in p.flags]
    keyish = [p for p in plain if p.flags & {"top", "designated", "agreement", "high_potential"}]
    ordinary = [p for p in plain if p not in keyish]
    mark("low_satisfaction", 0.05, plain)
    mark("satisfaction_drop", 0.04, [p for p in plain if "low_satisfaction" not in p.flags])
    mark("neglected", 0.12, keyish)
    mark("neglected", 0.06, ordinary)
    mark("open_complaint", 0.08, plain)
    mark("credit", 0.07, plain)
    credit = [p for p in plain if "credit" in p.flags]
    if credit:
        credit[0].flags.add("credit_high")
    mark("returns", 0.04, ordinary)
    mark("action_overdue", 0.35, keyish)
    # A few troubled accounts where everything goes wrong at once (health red).
    for p in rng.sample(plain, min(len(plain), max(1, int(0.03 * len(plain) + 0.5)))):
        p.flags |= {"troubled", "decline", "low_satisfaction", "neglected", "open_complaint", "stage_bad"}
        p.flags.discard("satisfaction_drop")
        p.growth = rng.uniform(-0.55, -0.40)
    for p in actives:
        if "decline" in p.flags and rng.random() < 0.6:
            p.flags.add("stage_bad")

    # Products and margins.
    for p in plans:
        k = 1 if p.base < 4e5 else 2 if p.base < 2e6 else rng.randint(3, 4)
        if p.kind != "active":
            k = rng.randint(1, 2)
        p.products = tuple(sorted(rng.sample(range(len(PRODUCTS)), k)))
        w = [rng.uniform(0.5, 1.5) for _ in p.products]
        p.weights = tuple(x / sum(w) for x in w)
        p.margin = rng.uniform(0.12, 0.32)
    for p in plans:
        if p.kind == "new":
            p.base = rng.uniform(1.5e5, 6e5)
            p.growth = 0.0
        elif p.kind == "lapsed":
            p.base = rng.uniform(1e5, 4e5)
            p.growth = rng.uniform(-0.3, -0.1)
    return plans


class _Names:
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


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _money(x: float) -> float:
    """Monthly fees are quoted in hundreds of yuan."""
    return float(round(x / 100) * 100)


def sample_dataset(lang: str = "zh", customers: int = 150, seed: int = 1) -> Dataset:
    """The sample portfolio as reader records (canonical values, no messy text)."""
    if lang not in ("zh", "en"):
        raise KamError(f"--lang must be zh or en, not {lang!r}")
    if customers < 1:
        raise KamError(f"--customers 至少为 1，而不是 {customers}" if lang == "zh"
                       else f"--customers must be at least 1, not {customers}")
    if customers > MAX_CUSTOMERS:
        # ≈ 340 activities per customer: more would overflow the Activities
        # sheet (Excel holds 1,048,576 rows per sheet).
        if lang == "zh":
            raise KamError(f"--customers {customers}：一个工作簿最多容纳 {MAX_CUSTOMERS} 个客户"
                           f"（活动表会超过 Excel 的 1,048,576 行上限）")
        raise KamError(f"--customers {customers}: at most {MAX_CUSTOMERS} fit in one workbook "
                       f"(the Activities sheet would exceed Excel's 1,048,576 rows)")
    rng = random.Random(seed)
    plans = _storylines(customers, rng)
    # The name generator draws the same indices in both languages (the zh and
    # en pools have the same sizes), so the en sample translates the zh one.
    names = _Names(lang, random.Random(f"kamreport-names-{seed}"))
    L = lambda pair: _pick(lang, pair)  # noqa: E731

    n_am = min(10, max(6, customers // 18))
    manager_people = [names.person() for _ in range(n_am)]
    managers = [name for name, _ in manager_people]
    sponsors = [names.person()[0] for _ in range(4)]
    sales_people = [names.person() for _ in range(3)]
    sales_mgrs = [name for name, _ in sales_people]
    engineers = [names.person()[0] for _ in range(6)]

    def loc(sheet: str, i: int) -> Loc:
        return Loc(SAMPLE_FILE, sheet, HEADER_ROW.get(sheet, 1) + 1 + i)

    out: dict[str, list] = {k: [] for k in ("c", "s", "a", "p", "v", "l", "x")}
    for p in plans:
        prng = random.Random(seed * 1_000_003 + p.idx)   # per customer: independent streams
        keyish = bool(p.flags & {"top", "designated", "agreement", "high_potential", "giant"})
        ind = prng.randrange(len(INDUSTRIES))
        if "giant" in p.flags:
            ind = 0   # the dominant customer of a facility-services firm: a developer
        cname, domain, ci = names.company(ind)
        region = REGIONS[CITIES[ci][2]]
        am = None if "no_manager" in p.flags else managers[prng.randrange(n_am)]
        if p.kind == "prospect" and prng.random() < 0.3:
            am = None
        sm = sales_mgrs[CITIES[ci][2] % 3]

        # --- customer master data
        since = None
        if p.kind in ("active", "lapsed"):
            since = _day_in(prng, date(2012, 1, 1), date(2024, 6, 30))
            if "top" in p.flags or keyish:
                since = _day_in(prng, date(2010, 1, 1), date(2021, 12, 31))
        elif p.kind == "new":
            since = _day_in(prng, date(2026, 6, 1), date(2026, 7, 20))
        lta, cend = False, None
        if "agreement" in p.flags or ("top" in p.flags and prng.random() < 0.6) or "giant" in p.flags:
            lta = True
            cend = _day_in(prng, date(2027, 1, 1), date(2029, 12, 31))
            if prng.random() < 0.15:
                cend = None   # open-ended agreement
        if "expiring_30" in p.flags:
            cend = AS_OF + timedelta(days=prng.randint(8, 30))
        if "expiring_90" in p.flags:
            cend = AS_OF + timedelta(days=prng.randint(31, 90))
        if "agreement_ended_q3" in p.flags:
            lta, cend = True, _day_in(prng, date(2026, 7, 10), date(2026, 9, 20))
        if "agreement_expired" in p.flags:
            lta, cend = True, _day_in(prng, date(2024, 6, 1), date(2026, 3, 31))
        designated = "designated" in p.flags

        if p.kind in ("active", "new", "lapsed"):
            sow = prng.uniform(0.15, 0.75)
            if "high_potential" in p.flags:
                sow = prng.uniform(0.04, 0.08)
            market = p.base / sow
            growth = prng.uniform(-0.05, 0.10)
            if "decline" in p.flags:
                growth = prng.uniform(-0.08, 0.02)
            if "high_potential" in p.flags:
                growth = prng.uniform(0.22, 0.35)
            if p.kind == "lapsed":
                market, growth = prng.uniform(2e5, 6e5), prng.uniform(-0.10, -0.02)
            fit, pos = prng.randint(2, 5), prng.randint(2, 5)
            if p.kind == "lapsed":
                fit, pos = 1, prng.randint(1, 2)
        elif p.kind == "prospect":
            market = math.exp(math.log(3e6) + 0.8 * prng.gauss(0.0, 1.0))
            growth = prng.uniform(0.04, 0.20)
            fit, pos = prng.randint(3, 5), prng.randint(2, 5)
        else:
            market = prng.uniform(5e4, 3e5)
            growth = prng.uniform(-0.08, 0.01)
            fit, pos = prng.randint(1, 2), prng.randint(1, 2)
        market = float(round(market / 10000) * 10000)
        growth = round(growth, 3)
        if prng.random() < 0.08 and not p.flags & {"high_potential", "giant"}:
            market = None
        if prng.random() < 0.06 and not p.flags & {"high_potential"}:
            growth = None
        if prng.random() < 0.05 and p.kind != "unattractive":
            fit = None

        if p.kind == "prospect":
            stage = prng.choice(("developing", "limited", None))
        elif p.kind in ("unattractive", "lapsed"):
            stage = prng.choice(("limited", "declining", None)) if p.kind == "lapsed" else prng.choice(("limited", None))
        elif "stage_bad" in p.flags:
            stage = prng.choice(("defensive", "declining"))
        elif keyish:
            stage = prng.choice(("very_strong", "good", "good", "developing"))
        else:
            stage = prng.choice(("good", "developing", "developing", "limited", None))
        rtype = None
        if "giant" in p.flags or ("top" in p.flags and prng.random() < 0.2):
            rtype = "strategic_alliance"
        elif prng.random() < 0.3 and p.kind in ("active", "new"):
            rtype = prng.choice(("vendor", "preferred_supplier", "partner")) if keyish else \
                prng.choice(("vendor", "vendor", "preferred_supplier"))
        ind_pair = INDUSTRIES[ind][:2]
        concern = prng.choice(CONCERNS)
        prods = "、".join(PRODUCTS[i][0] for i in p.products) if lang == "zh" else \
            ", ".join(PRODUCTS[i][1] for i in p.products)
        if lang == "zh":
            notes = f"**{ind_pair[0]}**客户。\n\n- 主要服务：{prods}\n- 关注点：{concern[0]}"
            if since:
                notes = f"**{ind_pair[0]}**客户，{since.year}年开始合作。\n\n- 主要服务：{prods}\n- 关注点：{concern[0]}"
        else:
            notes = f"**{ind_pair[1]}** client.\n\n- Services: {prods}\n- Cares about: {concern[1]}"
            if since:
                notes = f"**{ind_pair[1]}** client since {since.year}.\n\n- Services: {prods}\n- Cares about: {concern[1]}"
        if prng.random() < 0.25:
            notes = None
        out["c"].append(Customer(
            customer_id=p.cid, name=cname, loc=loc("Customers", len(out["c"])),
            industry=L(ind_pair), region=L(region), account_manager=am,
            executive_sponsor=sponsors[prng.randrange(4)] if keyish else None,
            sales_manager=sm if p.kind != "unattractive" else None,
            since=since, long_term_agreement=lta, contract_end=cend, designated_key=designated,
            market_size=market, market_growth=growth, strategic_fit=fit, industry_position=pos,
            relationship_stage=stage, relationship_type=rtype, notes=notes))

        # --- contacts
        nc = prng.randint(4, 8) if keyish else prng.randint(2, 4) if p.kind in ("active", "new") else \
            prng.randint(1, 3) if p.kind in ("prospect", "lapsed") else prng.randint(0, 1)
        people = []
        titles = prng.sample(range(len(TITLES)), min(nc, len(TITLES)))
        if keyish and not {0, 1, 2} & set(titles):
            titles[-1] = prng.choice((0, 2))   # a key account's map shows a decision maker
        for j, t in enumerate(titles):
            nm, local = names.person()
            title = TITLES[t]
            role = title[2] if prng.random() < 0.75 else prng.choice(schema.CONTACT_ROLE.keys)
            att = prng.choices(("supporter", "neutral", "opponent"), (5, 4, 1))[0]
            if "stage_bad" in p.flags and j == 0:
                att = "opponent"
            infl = max(1, min(5, title[3] + prng.choice((-1, 0, 0, 1))))
            y = prng.randint(1965, 1998) if prng.random() < 0.5 else None
            mo, d = prng.randint(1, 12), prng.randint(1, 28)
            if keyish and j == 0:
                mo, d = prng.choice(((10, prng.randint(1, 31)), (11, prng.randint(1, 30)), (12, prng.randint(1, 28))))
            bday = Birthday(mo, d, y) if prng.random() < 0.85 else None
            people.append(nm)
            out["p"].append(Contact(
                customer_id=p.cid, name=nm, loc=loc("Contacts", len(out["p"])), title=L(title[:2]),
                role=role, attitude=att, influence=infl, birthday=bday,
                email=f"{local}@{domain}" if prng.random() < 0.9 else None,
                phone=f"+86 1{prng.choice('3578')}{prng.randint(0, 9)} {prng.randint(1000, 9999)} {prng.randint(1000, 9999)}"))
        if "giant" in p.flags and out["p"] and out["p"][-1].customer_id == p.cid:
            last = out["p"][-1]   # a leap-day birthday (care calendar: 28 Feb in other years)
            out["p"][-1] = replace(last, birthday=Birthday(2, 29, 1988))

        # --- sales
        months = range(24)
        if p.kind == "new":
            months = range(21, 24)
        elif p.kind == "lapsed":
            months = range(0, prng.randint(9, 11) + 1)
        elif p.kind in ("prospect", "unattractive"):
            months = range(0)
        ttm_rev = 0.0
        credit_month = None
        for mi in months:
            mo = MONTHS[mi]
            level = p.base / 12 * (1 + p.growth) ** ((mi - 17.5) / 12) * SEASON[mo.month]
            if p.step_down and mi >= 21:
                level *= 0.55
            if p.kind == "new":
                level *= (0.5, 0.8, 1.0)[mi - 21]
            level *= prng.uniform(0.92, 1.08)
            rows = []
            for prod, w in zip(p.products, p.weights):
                rev = _money(level * w)
                gp = float(round(rev * p.margin * prng.uniform(0.9, 1.1)))
                rows.append([rev, gp, prod, None])
            if "returns" in p.flags and mi == 14:
                # a credit note larger than the month's fees: a negative month
                ret = -_money(level * 1.4)
                rows.append([ret, float(round(ret * p.margin)), p.products[0], None])
            if mi >= 12:
                ttm_rev += sum(r[0] for r in rows)
            if prng.random() < 0.08 and mi < 23:
                rows[0][3] = _money(level * prng.uniform(0.2, 0.6))
            if mi == 23:
                credit_month = rows
            for rev, gp, prod, od in rows:
                out["s"].append(Sale(p.cid, mo, rev, loc("Sales", len(out["s"])), gp, L(PRODUCTS[prod]), od))
        if credit_month is not None and "credit" in p.flags:
            share = 0.15 if "credit_high" in p.flags else prng.uniform(0.01, 0.05)
            i0 = len(out["s"]) - len(credit_month)
            s0 = out["s"][i0]
            out["s"][i0] = replace(s0, overdue_amount=_money(max(ttm_rev, 1e4) * share))

        # --- activities
        if keyish:
            na = int(1200 * prng.uniform(0.7, 1.3))
            start = FIRST_DAY
        elif p.kind == "active":
            na = int(480 * prng.uniform(0.6, 1.4) * min(1.0, 0.5 + p.base / 1.5e6))
            start = FIRST_DAY
        elif p.kind == "new":
            na, start = prng.randint(30, 60), date(2026, 4, 1)
        elif p.kind == "lapsed":
            na, start = prng.randint(20, 60), FIRST_DAY
        elif p.kind == "prospect":
            na, start = (prng.randint(0, 30) if prng.random() < 0.7 else 0), FIRST_DAY
        else:
            na, start = prng.randint(0, 6), FIRST_DAY
        if "designated" in p.flags and p.kind == "prospect":
            na = prng.randint(40, 80)
        end = AS_OF if p.kind != "lapsed" else date(2025, 10, 31)
        touch_end = end
        if "neglected" in p.flags:
            # key cadence 30 days, ordinary 90: 45–75 / 100–200 days without a touch
            touch_end = AS_OF - timedelta(days=prng.randint(45, 75) if keyish else prng.randint(100, 200))
            if "troubled" in p.flags:   # beyond 3 × cadence: engagement 0
                touch_end = AS_OF - timedelta(days=prng.randint(95, 120) if keyish else prng.randint(280, 330))
        span = (end - start).days
        types = [t for t, _ in ACTIVITY_WEIGHTS]
        tweights = [w for _, w in ACTIVITY_WEIGHTS]
        acts = []
        for _ in range(na):
            t = prng.choices(types, tweights)[0]
            d = start + timedelta(days=prng.randint(0, span))
            if t in schema.TOUCH_TYPES and d > touch_end:
                t = "email" if prng.random() < 0.5 else "service"
            acts.append((d, t))
        if "open_complaint" in p.flags:
            acts.append((AS_OF - timedelta(days=prng.randint(20, 60)), "complaint!"))
        acts.sort(key=lambda a: a[0])
        for d, t in acts:
            still_open = t == "complaint!"
            t = t.rstrip("!")
            resolved = None
            if t == "complaint" and not still_open:
                resolved = d + timedelta(days=prng.randint(0, 12))   # within 14 days: not OPEN_COMPLAINT
            elif t == "service":
                resolved = d + timedelta(days=prng.choice((0, 0, 1, 2, 5, 20)))
            if resolved is not None and resolved > AS_OF:
                resolved = None   # exported at as_of: not resolved yet
            lo, hi = MINUTES[t]
            minutes = float(prng.randint(lo, hi)) if prng.random() < 0.95 else 0.0
            owner = engineers[prng.randrange(6)] if t in ("service", "complaint") else \
                (am if am and prng.random() < 0.8 else sm)
            contact = prng.choice(people) if people and prng.random() < 0.85 else None
            tmpl = prng.choice(SUMMARIES[t])
            summ = L(tmpl).format(p=L(PRODUCTS[prng.choice(p.products)]), c=contact or L(("客户", "the client")))
            out["a"].append(Activity(p.cid, d, t, loc("Activities", len(out["a"])), owner, contact,
                                     minutes, resolved, summ))

        # --- surveys: key accounts every quarter (often two respondents),
        # ordinary customers twice a year.
        if p.kind in ("active", "new"):
            step = 3 if keyish else 6
            sat = prng.uniform(6.8, 9.4)
            survey_months = [mi for mi in range(2, 24, step)] if p.kind == "active" else [23]
            for k, mi in enumerate(survey_months):
                last = k == len(survey_months) - 1
                score = sat + prng.uniform(-0.5, 0.5)
                if "low_satisfaction" in p.flags and last:
                    score = prng.uniform(4.0, 5.8)
                if "satisfaction_drop" in p.flags:
                    score = prng.uniform(8.6, 9.4) if not last else prng.uniform(6.0, 6.5)
                d = MONTHS[mi] + timedelta(days=prng.randint(9, 24))
                for _ in range(2 if keyish and prng.random() < 0.4 else 1):
                    s = round(max(0.0, min(10.0, score + prng.uniform(-0.1, 0.1))), 1)
                    if "satisfaction_drop" in p.flags and not last:
                        s = max(s, 8.6)
                    nps = max(0, min(10, round(s + prng.uniform(-1.5, 1.0)))) if prng.random() < 0.9 else None
                    comment = L(prng.choice(SURVEY_COMMENTS)) if prng.random() < 0.3 else None
                    out["v"].append(Survey(p.cid, d, s, loc("Surveys", len(out["v"])), nps, comment))

        # --- action plans
        n_plans = prng.randint(3, 6) if keyish else (prng.randint(1, 2) if p.kind == "active" and prng.random() < 0.4 else 0)
        overdue_left = 1 if "action_overdue" in p.flags else 0
        # The first objective answers the customer's storyline when it has one.
        first = 6 if "credit" in p.flags else 0 if p.flags & {"expiring_30", "expiring_90", "agreement_ended_q3"} \
            else 1 if p.flags & {"low_satisfaction", "satisfaction_drop"} else 4 if "open_complaint" in p.flags \
            else 2 if "high_potential" in p.flags else None
        for j in range(n_plans):
            obj, acts_for = OBJECTIVES[first] if j == 0 and first is not None else prng.choice(OBJECTIVES)
            act = ACTIONS[prng.choice(acts_for)]
            due = _day_in(prng, date(2025, 10, 1), date(2027, 3, 31))
            done = None
            if overdue_left and j == 0:
                due = _day_in(prng, date(2026, 5, 1), date(2026, 9, 15))
                status = "open"
                overdue_left = 0
            elif due < AS_OF:
                u = prng.random()
                if u < 0.12:
                    status = "cancelled"
                else:
                    status = "done"
                    late = prng.random() < 0.25
                    done = due + timedelta(days=prng.randint(3, 40)) if late else due - timedelta(days=prng.randint(0, 20))
                    if done > AS_OF:
                        done = AS_OF - timedelta(days=prng.randint(0, 5))
            else:
                status = "done" if prng.random() < 0.1 else "open"
                if status == "done":
                    done = AS_OF - timedelta(days=prng.randint(0, 60))
            owner = am or sm
            out["l"].append(Plan(p.cid, L(obj), L(act), loc("Plans", len(out["l"])), owner, due, status, done))

        # --- competitors
        ncomp = prng.randint(1, 3) if keyish else (prng.randint(0, 2) if p.kind in ("active", "prospect") else 0)
        for ci_ in prng.sample(range(len(COMPETITORS)), ncomp):
            share = round(prng.uniform(0.05, 0.35), 2) if prng.random() < 0.9 else None
            out["x"].append(Competitor(p.cid, L(COMPETITORS[ci_]), loc("Competitors", len(out["x"])), share,
                                       L(prng.choice(STRENGTHS)), L(prng.choice(WEAKNESSES))))

    settings = _settings(lang)
    # The team list (SPEC §6 "Manager packs"): the sales managers lead the
    # regions; each account manager works in the region of the manager
    # listed beside them (a team name, not a rule of the sample's data).
    staff = []
    for i, (name, local) in enumerate(sales_people + manager_people):
        team = L(REGIONS[i % 3]) + ("大客户部" if lang == "zh" else " key accounts")
        staff.append(Staff(name, loc("Staff", i), f"{local}@huaxin-fm.example.com", team))
    return Dataset(
        inputs=(), customers=tuple(out["c"]), sales=tuple(out["s"]), activities=tuple(out["a"]),
        contacts=tuple(out["p"]), surveys=tuple(out["v"]), plans=tuple(out["l"]),
        competitors=tuple(out["x"]), staff=tuple(staff),
        settings=tuple((k, v, loc("Settings", i)) for i, (k, v) in enumerate(settings)),
        has_gross_profit=True, language=lang)


def _settings(lang: str) -> list[tuple[str, str]]:
    if lang == "zh":
        return [("company", "华信物业服务集团"), ("report_title", "重点客户季度经营回顾"),
                ("language", "zh"), ("currency", "CNY"), ("brand_color", "#1f4e79"),
                ("mail_to", "kam-leaders@example.com"), ("mail_subject", "重点客户季度回顾")]
    return [("company", "Huaxin Property Services Group"), ("report_title", "Key Account Quarterly Review"),
            ("language", "en"), ("currency", "CNY"), ("brand_color", "#1f4e79"),
            ("mail_to", "kam-leaders@example.com"), ("mail_subject", "Key account quarterly review")]


# --------------------------------------------------------------------------
# Step 2: the workbook.

_NUMBER_FORMATS = {
    schema.DATE: "yyyy-mm-dd", schema.MONTH: "yyyy-mm", schema.MONEY: "#,##0.00",
    schema.MONEY_POS: "#,##0.00", schema.PERCENT: "0.0%", schema.NUMBER_POS: "0",
    schema.NUMBER_0_10: "0.0", schema.INT_1_5: "0", schema.INT_0_10: "0", schema.DAY: "mm-dd",
}
_WIDTHS = {schema.ID: 11, schema.TEXT: 18, schema.MARKDOWN: 48, schema.MONEY: 15, schema.MONEY_POS: 15,
           schema.PERCENT: 12, schema.DATE: 13, schema.MONTH: 11, schema.DAY: 12, schema.BOOL: 10,
           schema.ENUM: 16, schema.INT_1_5: 9, schema.INT_0_10: 9, schema.NUMBER_0_10: 9,
           schema.NUMBER_POS: 9}
_WIDE_TEXT = {"name": 30, "notes": 48, "summary": 48, "comment": 36, "objective": 30, "action": 34,
              "strengths": 28, "weaknesses": 28, "email": 30, "phone": 18, "industry": 20,
              "product": 24, "value": 40, "key": 18}

# What a cell of each type accepts, for the header comments (SPEC §1 Values).
_TYPE_HELP = {
    schema.ID: ("编号（文本）；数字 1001 读作 \"1001\"", "ID (text); a number 1001 reads as \"1001\""),
    schema.TEXT: ("文本", "Text"),
    schema.MARKDOWN: ("文本，支持 Markdown（**粗体**、列表）", "Text, Markdown allowed (**bold**, lists)"),
    schema.MONEY: ("金额：数字，或 1,234.5、¥1,234、1.2万、3亿；可为负数", "Money: a number or 1,234.5, ¥1,234, 1.2万, 3亿; may be negative"),
    schema.MONEY_POS: ("金额 ≥ 0：数字，或 1,234.5、¥1,234、1.2万", "Money ≥ 0: a number or 1,234.5, ¥1,234, 1.2万"),
    schema.NUMBER_POS: ("数字 ≥ 0", "Number ≥ 0"),
    schema.NUMBER_0_10: ("数字 0–10", "Number 0–10"),
    schema.PERCENT: ("百分比：0.08 或 8%（不带 % 的大于 1 的数字无效）", "Percent: 0.08 or 8% (a bare number > 1 is invalid)"),
    schema.INT_1_5: ("整数 1–5", "Whole number 1–5"),
    schema.INT_0_10: ("整数 0–10", "Whole number 0–10"),
    schema.DATE: ("日期：2026-07-15、2026/7/15、2026年7月15日", "Date: 2026-07-15, 2026/7/15, 2026年7月15日"),
    schema.MONTH: ("月份：2026-07、2026/7、2026年7月，或任一日期", "Month: 2026-07, 2026/7, 2026年7月 or any date in it"),
    schema.DAY: ("日期（年份可省略）：07-15、7/15、7月15日、1980-07-15", "Day, year optional: 07-15, 7/15, 7月15日, 1980-07-15"),
    schema.BOOL: ("是/否（也可 TRUE/FALSE、yes/no、1/0、√）；空白为否", "yes/no (also TRUE/FALSE, 是/否, 1/0, √); blank = no"),
    schema.ENUM: ("从下拉列表中选择", "Pick from the drop-down list"),
}

_TITLE = {"Customers": (("客户主数据（示例数据，由 kamreport init 生成）", "数据截至 2026-09-30"),
                        ("Customer master data (sample generated by kamreport init)", "Data as of 2026-09-30")),
          "Sales": (("销售月报（单位：元）",), ("Monthly sales (CNY)",))}

README = (
    ("kamreport 输入工作簿", "kamreport input workbook"),
    ("", ""),
    ("本工作簿的每个工作表对应 kamreport 的一类输入；只有“客户”和“销售”是必需的。",
     "Each sheet is one kind of kamreport input; only Customers and Sales are required."),
    ("列按表头名称识别（中文或英文均可，不区分大小写、空格、_ 和 -），顺序无关；表格上方可以有标题行。",
     "Columns are found by header name (Chinese or English, ignoring case, spaces, _ and -), in any order; "
     "title rows above a table are fine."),
    ("每个表头单元格的批注说明该列的含义和可接受的写法；枚举和是/否列有下拉列表。",
     "The comment on every header cell explains the column and what it accepts; enum and yes/no columns "
     "have drop-down lists."),
    ("", ""),
    ("客户 / Customers：每个客户一行（含潜在客户），客户编号唯一。", "Customers / 客户: one row per customer, prospects included; customer_id is unique."),
    ("销售 / Sales：按月填写销售额和毛利；同一客户同一月份的多行会相加；退货可为负数。",
     "Sales / 销售: monthly revenue and gross profit; rows of one customer-month are summed; returns may be negative."),
    ("活动 / Activities：拜访、会议、电话、邮件、关怀、培训、服务、投诉；投诉和服务可填写解决日期。",
     "Activities / 活动: visit, meeting, call, email, care, training, service, complaint; resolved_on for complaints and services."),
    ("联系人 / Contacts：客户方的人员、角色、态度、影响力和生日（年份可省略）。",
     "Contacts / 联系人: the customer's people, their role, attitude, influence and birthday (year optional)."),
    ("满意度 / Surveys：满意度 0–10 分，推荐意愿 0–10 分。", "Surveys / 满意度: satisfaction 0–10 and likelihood to recommend 0–10."),
    ("行动计划 / Plans：目标、行动、负责人、截止日期、状态（空白为进行中）、完成日期。",
     "Plans / 行动计划: objective, action, owner, due date, status (blank = open), completed date."),
    ("竞争对手 / Competitors：竞争对手在该客户采购中的份额、优势和劣势。",
     "Competitors / 竞争对手: the competitor's share of the customer's wallet, strengths and weaknesses."),
    ("员工 / Staff：客户经理的姓名（与客户表“客户经理”的写法相同）、邮箱和团队；send --per-manager 按此邮箱发送资料包。",
     "Staff / 员工: each account manager's name (as in Customers' account_manager), email and team; "
     "send --per-manager mails the packs there."),
    ("设置 / Settings：两列“键”和“值”，例如 company、report_title、language（zh/en）、currency、brand_color、"
     "abc_a_cut、cadence_key、mail_to。",
     "Settings / 设置: two columns key and value, e.g. company, report_title, language (zh/en), currency, "
     "brand_color, abc_a_cut, cadence_key, mail_to."),
    ("", ""),
    ("检查：kamreport validate 本文件.xlsx", "Check: kamreport validate this-file.xlsx"),
    ("生成报告：kamreport build 本文件.xlsx --period 2026Q3", "Build: kamreport build this-file.xlsx --period 2026Q3"),
)

SETTING_KEYS = ("company", "report_title", "language", "currency", "abc_basis", "abc_a_cut", "abc_b_cut",
                "weight_value", "weight_potential", "weight_strategic", "attractive_high",
                "attractive_medium", "high_potential", "cadence_key", "cadence_ordinary",
                "cadence_prospect", "revenue_drop", "satisfaction_floor", "complaint_days",
                "contract_days", "concentration", "mail_to", "mail_subject", "brand_color", "logo",
                "date_order", "fx_USD")


def _bool_labels(lang: str) -> tuple[str, str]:
    return ("是", "否") if lang == "zh" else ("yes", "no")


def header_comment(col: schema.Column, sheet: schema.Sheet) -> str:
    """The note on a header cell: meaning and accepted values, in both languages."""
    zh_help, en_help = _TYPE_HELP[col.type]
    lines = [f"{col.zh} / {col.key}" + ("（必填 / required）" if col.required else "")]
    if col.help_zh or col.help_en:
        lines.append(f"{col.help_zh or col.zh}")
        lines.append(f"{col.help_en or col.key}")
    lines.append(zh_help)
    lines.append(en_help)
    if col.enum is not None:
        lines.append(" · ".join(f"{col.enum.label(k, 'zh')} = {col.enum.label(k, 'en')}" for k in col.enum.keys))
    if sheet is schema.SETTINGS and col.key == "key":
        lines.append(", ".join(SETTING_KEYS))
    return "\n".join(lines)


def _enum_text(col: schema.Column, key: str, lang: str) -> str:
    assert col.enum is not None
    return col.enum.label(key, lang)


def _date_text(d: date, lang: str) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.year}/{d.month}/{d.day}"


def _wan(v: float) -> str:
    """12.53万 for 125300 (exact: v is whole hundreds)."""
    s = f"{v / 10000:.4f}".rstrip("0").rstrip(".")
    return s + "万"


def _cells(sheet: schema.Sheet, rec, i: int, lang: str) -> list:
    """One record as cell values, with a few deliberately "messy" but valid cells."""
    yes, no = _bool_labels(lang)
    k = sheet.key
    if k == "Customers":
        since = rec.since
        if since is not None and i % 7 == 3:
            since = _date_text(since, lang)
        market = rec.market_size
        if market is not None and i % 5 == 2:
            market = _wan(market) if lang == "zh" else f"¥{market:,.0f}"
        growth = rec.market_growth
        if growth is not None and i % 6 == 1:
            growth = f"{round(growth * 100, 1):g}%"

        def flag(b: bool) -> object:
            if b:
                return "√" if lang == "zh" and i % 9 == 0 else (True if i % 11 == 0 else yes)
            return None if i % 2 else no
        stage = rec.relationship_stage and _enum_text(sheet.column("relationship_stage"), rec.relationship_stage, lang)
        rtype = rec.relationship_type and _enum_text(sheet.column("relationship_type"), rec.relationship_type, lang)
        return [rec.customer_id, rec.name, rec.industry, rec.region, rec.account_manager,
                rec.executive_sponsor, rec.sales_manager, since, flag(rec.long_term_agreement),
                rec.contract_end, flag(rec.designated_key), market, growth, rec.strategic_fit,
                rec.industry_position, stage, rtype, rec.notes]
    if k == "Sales":
        month = rec.month
        if i % 97 == 5:
            month = f"{month.year}年{month.month}月" if lang == "zh" else f"{month.year}-{month.month:02d}"
        rev = rec.revenue
        if i % 41 == 7 and rev > 0:
            rev = _wan(rev) if lang == "zh" else f"¥{rev:,.0f}"
        return [rec.customer_id, month, rev, rec.gross_profit, rec.product, rec.overdue_amount]
    if k == "Activities":
        d = rec.date if i % 997 != 13 else _date_text(rec.date, lang)
        return [rec.customer_id, d, _enum_text(sheet.column("type"), rec.type, lang), rec.owner,
                rec.contact, rec.minutes if rec.minutes else None, rec.resolved_on, rec.summary]
    if k == "Contacts":
        b = rec.birthday
        bday = None
        if b is not None:
            if b.year is not None:
                bday = date(b.year, b.month, b.day)
            elif lang == "zh" and i % 2:
                bday = f"{b.month}月{b.day}日"
            else:
                bday = f"{b.month:02d}-{b.day:02d}"
        role = rec.role and _enum_text(sheet.column("role"), rec.role, lang)
        att = rec.attitude and _enum_text(sheet.column("attitude"), rec.attitude, lang)
        return [rec.customer_id, rec.name, rec.title, role, att, rec.influence, bday, rec.email, rec.phone]
    if k == "Surveys":
        return [rec.customer_id, rec.date, rec.score, rec.nps, rec.comment]
    if k == "Plans":
        status = None if rec.status == "open" and i % 3 == 0 else \
            _enum_text(sheet.column("status"), rec.status, lang)
        return [rec.customer_id, rec.objective, rec.action, rec.owner, rec.due, status, rec.completed_on]
    if k == "Targets":
        period = rec.period if lang == "en" or i % 3 else f"{rec.period[:4]}年第{'一二三四'[int(rec.period[-1]) - 1]}季度"
        return [rec.customer_id, period, rec.target]
    if k == "Staff":
        return [rec.name, rec.email, rec.team]
    if k == "Competitors":
        share = rec.share
        if share is not None and i % 4 == 1:
            share = f"{round(share * 100)}%"
        return [rec.customer_id, rec.competitor, share, rec.strengths, rec.weaknesses]
    raise AssertionError(k)


def _records(data: Dataset, sheet: schema.Sheet):
    if sheet.key == "Targets":
        return _target_rows(data)
    return {"Customers": data.customers, "Sales": data.sales, "Activities": data.activities,
            "Contacts": data.contacts, "Surveys": data.surveys, "Plans": data.plans,
            "Competitors": data.competitors, "Staff": data.staff}[sheet.key]


def _target_rows(data: Dataset) -> list:
    """Quarterly targets for the customers that buy most (as a sales team sets
    them): the quarter's revenue times a factor from 0.85 to 1.25, rounded to
    thousands, for the last two quarters of the sample (deterministic)."""
    from ..model import Loc, TargetRow
    by_quarter: dict[tuple[str, str], float] = {}
    for s_ in data.sales:
        q = f"{s_.month.year}Q{(s_.month.month - 1) // 3 + 1}"
        by_quarter[(s_.customer_id, q)] = by_quarter.get((s_.customer_id, q), 0.0) + s_.revenue
    quarters = sorted({q for _, q in by_quarter})[-2:]
    ttm: dict[str, float] = {}
    for (cid, q), v in by_quarter.items():
        if q in quarters:
            ttm[cid] = ttm.get(cid, 0.0) + v
    top = sorted((c for c in ttm if ttm[c] > 0), key=lambda c: (-ttm[c], c))[:max(1, len(ttm) // 4)]
    rows = []
    for cid in sorted(top):
        for q in quarters:
            v = by_quarter.get((cid, q), 0.0)
            factor = 0.85 + (sum(map(ord, cid + q)) % 41) / 100
            rows.append(TargetRow(cid, q, float(max(1000, round(v * factor, -3))), Loc("", "", 0)))
    return rows


def _setup_columns(ws, sheet: schema.Sheet) -> None:
    from openpyxl.utils import get_column_letter
    for j, col in enumerate(sheet.columns, 1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = _WIDE_TEXT.get(col.key, _WIDTHS[col.type])


def _header_cells(ws, sheet: schema.Sheet, lang: str, fill_color: str = "1F4E79") -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    cells = []
    for col in sheet.columns:
        c = WriteOnlyCell(ws, col.header(lang))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor=fill_color)
        c.alignment = Alignment(vertical="center")
        note = Comment(header_comment(col, sheet), "kamreport")
        note.width, note.height = 320, 160
        c.comment = note
        cells.append(c)
    return cells


def _write_readme(ws, lang: str) -> None:
    from openpyxl.styles import Font
    ws.column_dimensions["A"].width = 90
    ws.column_dimensions["B"].width = 90
    order = (0, 1) if lang == "zh" else (1, 0)
    for i, pair in enumerate(README):
        a, b = pair[order[0]], pair[order[1]]
        if i == 0:
            from openpyxl.cell import WriteOnlyCell
            ca, cb = WriteOnlyCell(ws, a), WriteOnlyCell(ws, b)
            ca.font = cb.font = Font(bold=True, size=14)
            ws.append([ca, cb])
        else:
            ws.append([a or None, b or None])


def _check_target(path: str, lang: str) -> str:
    target = os.path.abspath(path)
    folder = os.path.dirname(target)
    zh = lang == "zh"
    if not target.lower().endswith((".xlsx", ".xlsm")):
        raise KamError(f"{path}：文件名必须以 .xlsx 结尾" if zh else f"{path}: the file name must end in .xlsx")
    if not os.path.isdir(folder):
        raise KamError(f"{path}：文件夹 {folder} 不存在；请先创建或换一个路径" if zh
                       else f"{path}: folder {folder} does not exist; create it or choose another path")
    return target


def _atomic_save(wb, path: str, lang: str) -> None:
    """Save next to the target, then rename: a crash never leaves half a file."""
    target = _check_target(path, lang)
    fd, tmp = tempfile.mkstemp(prefix=".kamreport-", suffix=".xlsx", dir=os.path.dirname(target))
    os.close(fd)
    try:
        wb.save(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes it private; a workbook is not
        os.replace(tmp, target)
    except OSError as e:
        raise KamError(f"{path}：无法写入工作簿（{e.strerror or e}）" if lang == "zh"
                       else f"{path}: cannot write the workbook ({e.strerror or e})") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_workbook(path: str, *, lang: str = "zh", blank: bool = False, customers: int = 150,
                   seed: int = 1) -> None:
    """Write the sample workbook (or, with blank=True, the empty template) to path."""
    if lang not in ("zh", "en"):
        raise KamError(f"--lang must be zh or en, not {lang!r}")
    _check_target(path, lang)   # fail before spending seconds on the data
    if not blank and not 1 <= customers <= MAX_CUSTOMERS:
        sample_dataset(lang, customers, seed)   # raises the KamError that explains the limit
    if blank:
        wb = blank_workbook(lang)
    else:
        wb = sample_workbook(sample_dataset(lang, customers, seed), lang)
    _atomic_save(wb, path, lang)


def _data_rows(data: Dataset, sheet: schema.Sheet, lang: str):
    """A sheet's data rows as cell values (the Settings sheet: key, value)."""
    if sheet is schema.SETTINGS:
        return ([key, value] for key, value, _loc in data.settings)
    return (_cells(sheet, rec, i, lang) for i, rec in enumerate(_records(data, sheet)))


def _titles(sheet: schema.Sheet, lang: str) -> tuple[str, ...]:
    return _TITLE.get(sheet.key, ((), ()))[0 if lang == "zh" else 1]


def readme_title(lang: str) -> str:
    return "README" if lang == "en" else "说明"


def sheet_values(data: Dataset, lang: str) -> dict[str, list[list]]:
    """What `sample_workbook` writes, as plain values per sheet title: title
    rows, blank rows, header row, data rows. Tests compare workbooks to it."""
    order = (0, 1) if lang == "zh" else (1, 0)
    out = {readme_title(lang): [[pair[order[0]] or None, pair[order[1]] or None] for pair in README]}
    for sheet in schema.SHEETS:
        header_row = HEADER_ROW.get(sheet.key, 1)
        titles = _titles(sheet, lang)
        rows: list[list] = [[t] for t in titles]
        rows += [[] for _ in range(header_row - 1 - len(titles))]
        rows.append([c.header(lang) for c in sheet.columns])
        rows += list(_data_rows(data, sheet, lang))
        out[sheet.title(lang)] = rows
    return out


def sample_workbook(data: Dataset, lang: str):
    """The write-only openpyxl workbook of a sample dataset (saved by the caller)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    wb = Workbook(write_only=True)
    _write_readme(wb.create_sheet(readme_title(lang)), lang)
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.title(lang))
        _setup_columns(ws, sheet)
        header_row = HEADER_ROW.get(sheet.key, 1)
        # Keep the id column in view while scrolling right on the wide sheets.
        ws.freeze_panes = f"{'B' if sheet.key in ('Customers', 'Sales', 'Activities') else 'A'}{header_row + 1}"
        titles = _titles(sheet, lang)
        for t in titles:
            c = WriteOnlyCell(ws, t)
            c.font = Font(bold=True, size=13)
            ws.append([c])
        for _ in range(header_row - 1 - len(titles)):
            ws.append([])
        ws.append(_header_cells(ws, sheet, lang))
        formats = [_NUMBER_FORMATS.get(c.type) for c in sheet.columns]
        big = sheet.key == "Activities"
        for values in _data_rows(data, sheet, lang):
            if big or sheet is schema.SETTINGS:
                # Plain values stream fastest; dates get openpyxl's default
                # yyyy-mm-dd format anyway.
                ws.append(values)
                continue
            row = []
            for v, fmt in zip(values, formats):
                if fmt is not None and v is not None and not isinstance(v, str):
                    c = WriteOnlyCell(ws, v)
                    c.number_format = fmt
                    row.append(c)
                else:
                    row.append(v)
            ws.append(row)
    return wb


def blank_workbook(lang: str):
    """An empty template: every sheet, headers with notes, drop-downs, formats."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    if lang not in ("zh", "en"):
        raise KamError(f"--lang must be zh or en, not {lang!r}")
    wb = Workbook()
    readme = wb.active
    readme.title = readme_title(lang)
    order = (0, 1) if lang == "zh" else (1, 0)
    for i, pair in enumerate(README, 1):
        readme.cell(i, 1, pair[order[0]] or None)
        readme.cell(i, 2, pair[order[1]] or None)
    readme["A1"].font = readme["B1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = readme.column_dimensions["B"].width = 90
    yes, no = _bool_labels(lang)
    last = 5000   # validations cover rows 2..5000, plenty for a hand-kept sheet
    for sheet in schema.SHEETS:
        ws = wb.create_sheet(sheet.title(lang))
        ws.freeze_panes = "A2"
        for j, col in enumerate(sheet.columns, 1):
            letter = get_column_letter(j)
            c = ws.cell(1, j, col.header(lang))
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor="1F4E79")
            c.alignment = Alignment(vertical="center")
            note = Comment(header_comment(col, sheet), "kamreport")
            note.width, note.height = 320, 160
            c.comment = note
            dim = ws.column_dimensions[letter]
            dim.width = _WIDE_TEXT.get(col.key, _WIDTHS[col.type])
            fmt = _NUMBER_FORMATS.get(col.type)
            if fmt:
                dim.number_format = fmt   # column style: new cells in it get the format
            rng = f"{letter}2:{letter}{last}"
            dv = None
            if col.enum is not None:
                labels = ",".join(col.enum.label(k, lang) for k in col.enum.keys)
                dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=not col.required)
            elif col.type == schema.BOOL:
                dv = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
            elif col.type in (schema.INT_1_5, schema.INT_0_10):
                hi = 5 if col.type == schema.INT_1_5 else 10
                lo = 1 if col.type == schema.INT_1_5 else 0
                dv = DataValidation(type="whole", operator="between", formula1=str(lo), formula2=str(hi),
                                    allow_blank=True)
            elif col.type == schema.NUMBER_0_10:
                dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="10",
                                    allow_blank=not col.required)
            if dv is not None:
                dv.error = f"{col.header(lang)}: " + _TYPE_HELP[col.type][0 if lang == "zh" else 1]
                dv.errorTitle = "kamreport"
                dv.showErrorMessage = True
                dv.add(rng)
                ws.add_data_validation(dv)
        if sheet is schema.SETTINGS:
            # The two settings every workbook states; the rest keep their defaults.
            ws.append(["language", lang])
            ws.append(["currency", "CNY"])
    _columns_sheet(wb, lang)
    return wb


# The Columns sheet of the blank template (SPEC §1.5): examples as comment
# rows (`#` before the sheet), so the template validates clean until one is used.
COLUMNS_EXAMPLES = (
    ("#Sheet1", "", "Sales", "", "", "", "把名为 Sheet1 的表按销售表读取 / read the sheet Sheet1 as Sales"),
    ("#", "销售收入（万元）", "revenue", "万元", "", "", "该列为销售额，单位万元 / this column is revenue in 万元"),
    ("#", "Amount", "revenue", "k", "", "", "Salesforce: Amount in thousands"),
    ("#", "区域代码", "ignore", "", "", "", "不读取此列 / do not read this column"),
    ("#", "跟进方式", "type", "", "微信", "call", "“微信”算作电话沟通 / WeChat counts as a call"),
    ("#", "关系状态", "relationship_stage", "", "一般", "developing", "“一般”即发展中 / 一般 means developing"),
)


def _columns_sheet(wb, lang: str) -> None:
    from openpyxl.styles import Font, PatternFill
    ws = wb.create_sheet("列映射" if lang == "zh" else "Columns")
    ws.append(["sheet", "column", "field", "unit", "value", "means",
               "说明（删除 # 后生效）" if lang == "zh" else "note (remove the # to use a row)"])
    for c in ws[1]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F4E79")
    for row in COLUMNS_EXAMPLES:
        ws.append([v or None for v in row])
    for letter, width in zip("ABCDEFG", (12, 22, 20, 8, 10, 12, 60)):
        ws.column_dimensions[letter].width = width
