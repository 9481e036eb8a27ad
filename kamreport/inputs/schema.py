"""The input format of SPEC.md §1: sheets, columns, types, enums.

This module is data only. The reader (`read.py`), the sample writer
(`sample.py`) and the blank template all take sheet and column names from
here, so the English/Chinese names are spelled in exactly one place.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Column types (SPEC §1 "Values").
ID = "id"
TEXT = "text"
MARKDOWN = "markdown"
MONEY = "money"            # may be negative
MONEY_POS = "money>=0"
NUMBER_POS = "number>=0"
NUMBER_0_10 = "number0-10"
PERCENT = "percent"
INT_1_5 = "int1-5"
INT_0_10 = "int0-10"
DATE = "date"
MONTH = "month"
DAY = "day"
BOOL = "bool"
ENUM = "enum"


@dataclass(frozen=True)
class Enum:
    """An enum's keys with their Chinese labels, in the spec's order."""
    name: str
    options: tuple[tuple[str, str], ...]   # (key, 中文)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.options)

    def label(self, key: str, lang: str) -> str:
        if lang == "zh":
            return dict(self.options)[key]
        return key.replace("_", " ").capitalize()


RELATIONSHIP_STAGE = Enum("relationship_stage", (
    ("very_strong", "非常牢固"), ("good", "良好"), ("developing", "发展中"),
    ("limited", "有限"), ("defensive", "防守"), ("declining", "倒退"),
))
RELATIONSHIP_TYPE = Enum("relationship_type", (
    ("vendor", "卖主"), ("preferred_supplier", "优先供应商"),
    ("partner", "合作伙伴"), ("strategic_alliance", "战略联盟"),
))
ACTIVITY_TYPE = Enum("activity_type", (
    ("visit", "拜访"), ("meeting", "会议"), ("call", "电话"), ("email", "邮件"),
    ("care", "关怀"), ("training", "培训"), ("service", "服务"),
    ("complaint", "投诉"),
))
CONTACT_ROLE = Enum("contact_role", (
    ("decision_maker", "决策者"), ("influencer", "影响者"),
    ("champion", "支持者"), ("user", "使用者"), ("gatekeeper", "把关者"),
))
ATTITUDE = Enum("attitude", (
    ("supporter", "支持"), ("neutral", "中立"), ("opponent", "反对"),
))
PLAN_STATUS = Enum("plan_status", (
    ("open", "进行中"), ("done", "已完成"), ("cancelled", "已取消"),
))

# Touch types for engagement (SPEC §4).
TOUCH_TYPES = frozenset({"visit", "meeting", "call", "care", "training"})


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    type: str
    required: bool = False
    enum: Enum | None = None
    help_en: str = ""
    help_zh: str = ""

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.key


@dataclass(frozen=True)
class Sheet:
    key: str            # English sheet name, as in the spec: "Customers"
    zh: str             # Chinese sheet name: "客户"
    columns: tuple[Column, ...]
    required: bool = False

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.key


C = Column

CUSTOMERS = Sheet("Customers", "客户", (
    C("customer_id", "客户编号", ID, True, help_en="Unique customer ID", help_zh="唯一的客户编号"),
    C("name", "客户名称", TEXT, True, help_en="Organisation name", help_zh="客户（单位）名称"),
    C("industry", "行业", TEXT),
    C("region", "区域", TEXT),
    C("account_manager", "客户经理", TEXT, help_en="Owner of the relationship", help_zh="负责该客户关系的客户经理"),
    C("executive_sponsor", "高层支持", TEXT, help_en="Our executive sponsor", help_zh="我方行政支持者"),
    C("sales_manager", "销售经理", TEXT),
    C("since", "合作开始日期", DATE, help_en="Start of the business relationship", help_zh="业务合作开始日期"),
    C("long_term_agreement", "长期协议", BOOL, help_en="A long-term agreement is signed (yes/no)", help_zh="是否签订长期合作协议（是/否）"),
    C("contract_end", "合同到期日", DATE, help_en="End of that agreement", help_zh="长期协议到期日"),
    C("designated_key", "高层指定", BOOL, help_en="Leadership designated it a key account (yes/no)", help_zh="是否由公司高层指定为重点客户（是/否）"),
    C("market_size", "市场规模", MONEY_POS, help_en="Customer's yearly spend on what we sell", help_zh="客户每年在我方产品/服务上的总采购额（钱包规模）"),
    C("market_growth", "市场增长率", PERCENT, help_en="Growth of the customer's market, e.g. 8%", help_zh="客户所在市场的增长率，例如 8%"),
    C("strategic_fit", "战略协同", INT_1_5, help_en="Strategic synergy with us, 1-5", help_zh="与我方的战略协同程度，1–5"),
    C("industry_position", "行业地位", INT_1_5, help_en="Standing in its industry, 1-5", help_zh="在行业中的地位，1–5"),
    C("relationship_stage", "关系状态", ENUM, enum=RELATIONSHIP_STAGE),
    C("relationship_type", "关系类型", ENUM, enum=RELATIONSHIP_TYPE),
    C("notes", "备注", MARKDOWN, help_en="Free text (Markdown) shown in the account plan", help_zh="备注（支持 Markdown），显示在客户计划中"),
), required=True)

SALES = Sheet("Sales", "销售", (
    C("customer_id", "客户编号", ID, True),
    C("month", "月份", MONTH, True, help_en="Month, e.g. 2026-07", help_zh="月份，例如 2026-07 或 2026年7月"),
    C("revenue", "销售额", MONEY, True, help_en="Revenue; negative for returns", help_zh="销售额；退货可为负数"),
    C("gross_profit", "毛利", MONEY),
    C("product", "产品", TEXT),
    C("overdue_amount", "逾期金额", MONEY_POS, help_en="Receivables overdue at month end", help_zh="月末逾期应收款"),
    C("target", "目标", MONEY, help_en="Target (budget) for the month", help_zh="当月目标（预算）"),
), required=True)

ACTIVITIES = Sheet("Activities", "活动", (
    C("customer_id", "客户编号", ID, True),
    C("date", "日期", DATE, True),
    C("type", "类型", ENUM, True, enum=ACTIVITY_TYPE),
    C("owner", "负责人", TEXT, help_en="Our staff member", help_zh="我方负责人"),
    C("contact", "联系人", TEXT, help_en="Their person", help_zh="客户方联系人"),
    C("minutes", "时长", NUMBER_POS, help_en="Minutes spent; blank = 0", help_zh="花费时间（分钟），空白为 0"),
    C("resolved_on", "解决日期", DATE, help_en="For complaint and service", help_zh="投诉/服务的解决日期"),
    C("summary", "摘要", MARKDOWN),
))

CONTACTS = Sheet("Contacts", "联系人", (
    C("customer_id", "客户编号", ID, True),
    C("name", "姓名", TEXT, True),
    C("title", "职务", TEXT),
    C("role", "角色", ENUM, enum=CONTACT_ROLE),
    C("attitude", "态度", ENUM, enum=ATTITUDE),
    C("influence", "影响力", INT_1_5, help_en="1-5", help_zh="1–5"),
    C("birthday", "生日", DAY, help_en="e.g. 07-15 or 1980-07-15", help_zh="例如 07-15 或 7月15日"),
    C("email", "邮箱", TEXT),
    C("phone", "电话", TEXT),
))

SURVEYS = Sheet("Surveys", "满意度", (
    C("customer_id", "客户编号", ID, True),
    C("date", "日期", DATE, True),
    C("score", "满意度", NUMBER_0_10, True, help_en="Satisfaction 0-10", help_zh="满意度 0–10"),
    C("nps", "推荐意愿", INT_0_10, help_en="Likelihood to recommend 0-10", help_zh="推荐意愿 0–10"),
    C("comment", "意见", MARKDOWN),
))

PLANS = Sheet("Plans", "行动计划", (
    C("customer_id", "客户编号", ID, True),
    C("objective", "目标", TEXT, True),
    C("action", "行动", TEXT, True),
    C("owner", "负责人", TEXT),
    C("due", "截止日期", DATE),
    C("status", "状态", ENUM, enum=PLAN_STATUS, help_en="open / done / cancelled; blank = open", help_zh="进行中 / 已完成 / 已取消；空白为进行中"),
    C("completed_on", "完成日期", DATE),
))

COMPETITORS = Sheet("Competitors", "竞争对手", (
    C("customer_id", "客户编号", ID, True),
    C("competitor", "竞争对手", TEXT, True),
    C("share", "份额", PERCENT, help_en="Competitor's share of this customer's wallet", help_zh="竞争对手在该客户采购中的份额"),
    C("strengths", "优势", TEXT),
    C("weaknesses", "劣势", TEXT),
))

SETTINGS = Sheet("Settings", "设置", (
    C("key", "键", TEXT, True),
    C("value", "值", TEXT, True),
))

TARGETS = Sheet("Targets", "目标", (
    C("customer_id", "客户编号", ID, True),
    C("period", "期间", TEXT, True, help_en="A month 2026-07, a quarter 2026Q3 or a year 2026",
      help_zh="月份 2026-07、季度 2026Q3 / 2026年第三季度 或年份 2026"),
    C("target", "目标", MONEY, True, help_en="Target for the period (spread evenly over its months)",
      help_zh="该期间的目标（平均分摊到各月）"),
))

# The people behind the account_manager names (SPEC §6 "Manager packs"):
# where each manager's pack is mailed. A bad email rejects the row (the
# reader checks it: a pack must never go to a mistyped address).
STAFF = Sheet("Staff", "员工", (
    C("name", "姓名", TEXT, True, help_en="As written in Customers' account_manager",
      help_zh="与客户表“客户经理”一列的写法相同"),
    C("email", "邮箱", TEXT, help_en="Where the manager's pack is mailed (send --per-manager)",
      help_zh="客户经理资料包的收件地址（send --per-manager）"),
    C("team", "团队", TEXT),
))

SHEETS: tuple[Sheet, ...] = (
    CUSTOMERS, SALES, ACTIVITIES, CONTACTS, SURVEYS, PLANS, COMPETITORS, SETTINGS, TARGETS, STAFF,
)

_FOLD = re.compile(r"[\s_\-]+")


def fold(name: str) -> str:
    """Normalise a sheet or column name: case-, space-, `_`- and `-`-insensitive,
    full-width forms as ASCII (`ＩＤ` = `ID`)."""
    text = str(name)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _FOLD.sub("", text).casefold()


def find_sheet(name: str) -> Sheet | None:
    f = fold(name)
    for s in SHEETS:
        if f in (fold(s.key), fold(s.zh)):
            return s
    return None


def find_column(sheet: Sheet, header: str) -> Column | None:
    f = fold(header)
    for c in sheet.columns:
        if f in (fold(c.key), fold(c.zh)):
            return c
    return None
