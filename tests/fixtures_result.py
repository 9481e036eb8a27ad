"""A hand-built, realistic `Result` + `Dataset` for the view and template tests.

Independent of the engine: the numbers are typed in, not computed, so the
view tests pin what the views do with given engine output. It mixes long
Chinese names, HTML-looking text, missing values and every enum, because
those are what break layouts and escaping.
"""
from __future__ import annotations

from datetime import date

from kamreport.model import (Activity, Birthday, Competitor, Contact, Customer, Dataset, InputFile, Loc,
                             Plan, Problem, Sale, SheetCount, Survey)
from kamreport.engine.results import Account, CareItem, HealthComponent, ManagerCard, Period, PillarInputs, Portfolio, QuarterRevenue, Result, Risk
from kamreport.engine.settings import Settings

AS_OF = date(2026, 9, 30)
L = Loc("inputs/sample.xlsx", "Customers", 2)
QUARTERS = ("2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3")


def _months(y: int, m: int, n: int) -> tuple[date, ...]:
    out = []
    for _ in range(n):
        out.append(date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return tuple(reversed(out))


PERIOD = Period(label="2026Q3", kind="quarter", as_of=AS_OF, q=_months(2026, 9, 3), pq=_months(2026, 6, 3),
                yq=_months(2025, 9, 3), ttm=_months(2026, 9, 12))


def _components(growth, sat, eng, serv, exe):
    return (HealthComponent("growth", 0.30, growth, {"basis": "yoy", "growth": -0.05}),
            HealthComponent("satisfaction", 0.25, sat, {"latest": 8.0}),
            HealthComponent("engagement", 0.20, eng, {"days": 12, "cadence": 30}),
            HealthComponent("service", 0.15, serv, {"complaints": 1, "resolved": 1}),
            HealthComponent("execution", 0.10, exe, {"due": 3, "on_time": 2}))


def _contact_overdue(days, cadence):
    return Risk("CONTACT_OVERDUE", "medium", {"days": days, "cadence": cadence, "who": None, "manager": "王伟"})


def account(cid: str, name: str, tier: str = "key", **kw) -> Account:
    """An Account with plausible defaults; keyword arguments override."""
    base = 1_000_000.0 * kw.pop("scale", 1.0)
    trend = tuple(QuarterRevenue(q, base * (0.8 + 0.05 * i), base * (0.8 + 0.05 * i) * 0.3)
                  for i, q in enumerate(QUARTERS))
    d = dict(
        customer_id=cid, name=name, account_manager="王伟", executive_sponsor="李总", sales_manager="张敏",
        industry="制造业", region="华东", tier=tier, tier_prev=tier, move="same",
        key_reasons=("top_contributor",) if tier == "key" else (), abc_class="A" if tier == "key" else "B",
        abc_basis_value=base * 1.2, abc_cum_share_before=0.1, score=75.3,
        pillars={"value": 90.0, "potential": 60.0, "strategic": 62.5},
        pillar_inputs=PillarInputs(revenue_ttm_pr=92.0, gross_profit_ttm_pr=88.0, headroom=2_500_000.0,
                                   headroom_pr=55.0, market_growth=0.08, market_growth_pr=65.0,
                                   strategic_fit=4, industry_position=3),
        attractiveness="high", relationship_stage="good", relationship_type="preferred_supplier",
        relationship_type_source="inferred",
        tenure_years=4.2, share_of_wallet=0.42, headroom=2_500_000.0, market_size=6_500_000.0,
        long_term_agreement=False, contract_end=None, designated_key=False,
        revenue_q=base * 1.15, revenue_pq=base * 1.1, revenue_yq=base * 0.95, revenue_ttm=base * 4.4,
        gross_profit_ttm=base * 1.32, revenue_by_quarter=trend, growth_qoq=0.0455, growth_yoy=0.2105,
        days_since_touch=12, cadence=30 if tier == "key" else 90 if tier == "ordinary" else 180,
        touches_q=5, minutes_q=420.0, complaints_ttm=1, resolved_ttm=1, open_complaints=0,
        mean_resolution_days=6.0, latest_satisfaction=8.0, prev_satisfaction=7.5,
        health=80.5 if tier in ("key", "ordinary") else None,
        health_band="green" if tier in ("key", "ordinary") else None,
        health_components=_components(85.1, 80.0, 100.0, 100.0, 66.7) if tier in ("key", "ordinary") else (),
        risks=(), overdue_actions=0, care=(), notes=None,
    )
    d.update(kw)
    return Account(**d)


def make_result(lang: str = "zh", n_ordinary: int = 6, n_prospect: int = 5) -> tuple[Result, Dataset]:
    settings = Settings(company="华夏工业集团有限公司" if lang == "zh" else "Cathay Industrial Group",
                        language=lang, brand_color="#1f4e79")
    care1 = CareItem("C001", "上海东方精密机械制造股份有限公司", "birthday", date(2026, 10, 12), "陈建国", 12)
    care2 = CareItem("C002", "Northwind <b>Trading</b>", "contract_end", date(2026, 11, 15), None, 46)
    accounts = [
        account("C001", "上海东方精密机械制造股份有限公司（华东区域总部暨研发中心）", scale=3.0,
                key_reasons=("designated", "agreement", "top_contributor"), designated_key=True,
                long_term_agreement=True, contract_end=date(2027, 6, 30), relationship_type="partner",
                relationship_type_source="input", relationship_stage="very_strong", abc_cum_share_before=0.0,
                risks=(Risk("CONCENTRATION", "medium", {"share": 0.24, "limit": 0.2}),), care=(care1,),
                notes="**重点**：明年扩产，需提前锁定产能。\n\n- 关注华东二期项目\n- 准备年度框架协议", score=88.4),
        account("C002", "Northwind <b>Trading</b>", scale=1.6, key_reasons=("agreement",),
                long_term_agreement=True, contract_end=date(2026, 11, 15), tier_prev="ordinary", move="up",
                account_manager=None, growth_qoq=-0.31, growth_yoy=-0.45, health=38.2, health_band="red",
                health_components=_components(0.0, 55.0, 0.0, 50.0, None), latest_satisfaction=5.5,
                days_since_touch=None, relationship_stage="declining",
                risks=(Risk("REVENUE_DROP", "high", {"growth_qoq": -0.31, "growth_yoy": -0.45, "drop": 0.2,
                                                     "who": "Chen <i>Li</i>", "manager": None}),
                       Risk("LOW_SATISFACTION", "high", {"latest": 5.5, "prev": 7.0, "floor": 6,
                                                         "who": None, "role": None}),
                       Risk("CONTACT_OVERDUE", "high", {"days": None, "cadence": 30, "who": None, "manager": None}),
                       Risk("CONTRACT_EXPIRING", "medium", {"end": date(2026, 11, 15), "days": 46}),
                       Risk("RELATIONSHIP_DECLINING", "high", {"stage": "declining", "sponsor": "李总"}),
                       Risk("NO_ACCOUNT_MANAGER", "high")),
                care=(care2,), score=71.0),
        account("C003", "杭州云栖数据科技有限公司", scale=1.2, key_reasons=("high_potential",),
                abc_class="B", pillars={"value": 55.0, "potential": 86.0, "strategic": None},
                pillar_inputs=PillarInputs(revenue_ttm_pr=55.0, gross_profit_ttm_pr=None, headroom=9_000_000.0,
                                           headroom_pr=95.0, market_growth=0.22, market_growth_pr=77.0),
                health=62.4, health_band="amber", days_since_touch=41, relationship_stage=None,
                risks=(_contact_overdue(41, 30), Risk("ACTION_OVERDUE", "medium", {"n": 1})), overdue_actions=1, score=66.2,
                attractiveness="medium"),
    ]
    names = ["苏州工业园区新材料有限公司", "Acme Widgets Ltd.", "宁波港联物流", "成都天府软件园运营管理有限公司",
             "Globex Corporation", "青岛海润食品", "深圳前海金融服务", "Initech"]
    for i in range(n_ordinary):
        accounts.append(account(f"C{100 + i}", names[i % len(names)], tier="ordinary", scale=0.3 + 0.05 * i,
                                score=60.0 - i, attractiveness="medium" if i % 2 else "low",
                                relationship_stage=("good", "developing", "limited", "defensive")[i % 4],
                                tier_prev="key" if i == 0 else "ordinary", move="down" if i == 0 else "same",
                                health=70.0 - 6 * i, health_band="green" if i == 0 else "amber",
                                abc_class="B" if i < 3 else "C",
                                risks=(_contact_overdue(95, 90),) if i == 1 else ()))
    for i in range(n_prospect):
        accounts.append(account(f"P{200 + i}", f"潜在客户{i + 1}号", tier="prospect", scale=0.0,
                                revenue_q=0.0, revenue_pq=0.0, revenue_yq=0.0, revenue_ttm=0.0,
                                gross_profit_ttm=None, abc_class="N", abc_basis_value=None,
                                abc_cum_share_before=None, growth_qoq=None, growth_yoy=None,
                                score=50.0 - i, attractiveness="medium", relationship_stage="developing",
                                share_of_wallet=None, key_reasons=()))
    accounts.append(account("U900", "Dormant Co", tier="unattractive", scale=0.0, revenue_q=0.0, revenue_pq=0.0,
                            revenue_yq=0.0, revenue_ttm=0.0, gross_profit_ttm=None, abc_class="N",
                            abc_basis_value=None, abc_cum_share_before=None, growth_qoq=None, growth_yoy=None,
                            score=12.0, attractiveness="low", relationship_stage="limited", key_reasons=()))
    n = len(accounts)
    tiers = {k: sum(1 for a in accounts if a.tier == k) for k in ("key", "ordinary", "prospect", "unattractive")}
    migrations: dict[str, dict[str, int]] = {}
    for a in accounts:
        migrations.setdefault(a.tier_prev, {}).setdefault(a.tier, 0)
        migrations[a.tier_prev][a.tier] += 1
    rev_ttm = sum(a.revenue_ttm for a in accounts)
    portfolio = Portfolio(
        customers=n, tiers=tiers,
        tier_share={"key": tiers["key"] / n, "ordinary": tiers["ordinary"] / n,
                    "other": (tiers["prospect"] + tiers["unattractive"]) / n},
        revenue_q=sum(a.revenue_q for a in accounts), revenue_pq=sum(a.revenue_pq for a in accounts),
        revenue_yq=sum(a.revenue_yq for a in accounts), revenue_ttm=rev_ttm,
        gross_profit_ttm=sum(a.gross_profit_ttm or 0 for a in accounts), growth_qoq=0.031, growth_yoy=0.124,
        nps=23.5, minutes_q={"key": 1260.0, "ordinary": 900.0, "other": 240.0},
        time_share={"key": 0.525, "ordinary": 0.375, "other": 0.10}, migrations=migrations,
        abc_counts={c: sum(1 for a in accounts if a.abc_class == c) for c in "ABCN"},
    )
    managers = (ManagerCard("王伟", 2, 6, 9_000_000.0, 0.05, 7.8, 0.75, 1, 5),
                ManagerCard("", 1, 0, 1_840_000.0, -0.31, 5.5, 0.0, 0, 5))
    result = Result(period=PERIOD, settings=settings, accounts=tuple(accounts), portfolio=portfolio,
                    managers=managers, care=(care1, care2))

    contacts = (
        Contact("C001", "陈建国", L, title="总经理", role="decision_maker", attitude="supporter", influence=5,
                birthday=Birthday(10, 12)),
        Contact("C001", "刘芳", L, title="采购总监", role="decision_maker", attitude="neutral", influence=4),
        Contact("C001", "赵磊", L, title="技术部经理", role="influencer", attitude="opponent", influence=3),
        Contact("C001", "孙丽", L, title="车间主任", role="user", attitude="supporter", influence=2),
        Contact("C001", "周杰", L, title="前台", role=None, attitude=None, influence=None),
        Contact("C002", "Alice <script>x</script>", L, title="CFO", role="decision_maker", attitude="neutral",
                influence=5),
    )
    activities = tuple(
        Activity("C001", date(2026, 9, 28 - 3 * i), ("visit", "meeting", "call", "care", "email", "service",
                                                    "complaint", "training")[i % 8],
                 L, owner="王伟", contact="陈建国", minutes=60.0 + 10 * i,
                 summary=f"第{i + 1}次沟通：讨论**二期项目**进度" if i % 2 == 0 else None)
        for i in range(9)
    ) + (Activity("C001", date(2026, 10, 3), "visit", L, summary="after as_of: must not show"),)
    plans = (
        Plan("C001", "锁定2027年框架协议", "提交框架协议草案", L, owner="王伟", due=date(2026, 8, 31)),
        Plan("C001", "扩大钱包份额", "组织技术交流会", L, owner="张敏", due=date(2026, 10, 20)),
        Plan("C001", "提升满意度", "季度回访", L, owner="王伟", due=date(2026, 7, 15), status="done",
             completed_on=date(2026, 7, 10)),
        Plan("C001", "Old idea", "Dropped", L, status="cancelled"),
    )
    competitors = (
        Competitor("C001", "德国西门子", L, share=0.30, strengths="品牌与技术", weaknesses="价格高、交付慢"),
        Competitor("C001", "本地小厂", L, share=0.05, strengths="价格低", weaknesses=None),
    )
    surveys = (
        Survey("C001", date(2026, 9, 1), 8.0, L, nps=9, comment="服务响应**很快**"),
        Survey("C001", date(2026, 3, 1), 7.5, L, nps=8, comment=None),
    )
    problems = tuple(
        Problem("error" if i % 3 == 0 else "warning", "inputs/sample.xlsx", "Sales", 10 + i, "C", "销售额",
                f"abc{i}", f"第{10 + i}行：销售额不是数字") for i in range(40)
    )
    dataset = Dataset(
        inputs=(InputFile("/home/user/inputs/sample.xlsx", "ab" * 32),),
        customers=tuple(Customer(a.customer_id, a.name, L) for a in accounts),
        sales=(Sale("C001", date(2026, 9, 1), 100.0, L),),
        activities=activities, contacts=contacts, surveys=surveys, plans=plans, competitors=competitors,
        rows={"Customers": SheetCount(len(accounts) + 1, len(accounts), 1), "Sales": SheetCount(500, 480, 20),
              "Activities": SheetCount(10, 10, 0)},
        problems=problems, has_gross_profit=True, language=lang,
    )
    return result, dataset
