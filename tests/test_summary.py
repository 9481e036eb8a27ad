"""summary.json (SPEC §6) and problems.csv: shape, schema, rounding, atomicity."""
import csv
import io
import json
import os
from datetime import date
from importlib.resources import files

import jsonschema
import pytest

from kamreport.outputs import summary as SM
from kamreport.engine.core import compute
from kamreport.model import (Activity, Birthday, Contact, Customer, Dataset, InputFile, Loc, Problem,
                             Sale, SheetCount, Survey)

L = Loc("in/book.xlsx", "Customers", 2)
SCHEMA = json.loads(files("kamreport.outputs").joinpath("summary.schema.json").read_text(encoding="utf-8"))


def dataset():
    c = lambda cid, **kw: Customer(cid, f"客户{cid}", L, **kw)  # noqa: E731
    customers = (c("C1", account_manager="李", market_size=3000, strategic_fit=4, since=date(2020, 1, 1)),
                 c("C2", account_manager="李", designated_key=True),
                 c("C3"))
    s = lambda cid, m, r, gp=None: Sale(cid, date(2026, m, 1), r, L, gross_profit=gp)  # noqa: E731
    sales = (s("C1", 9, 1000.005, 333.333), s("C1", 6, 3000), s("C2", 9, 1 / 3, 0.1))
    return Dataset(
        inputs=(InputFile("in/book.xlsx", "ab" * 32),), customers=customers, sales=sales,
        activities=(Activity("C1", date(2026, 9, 1), "visit", L, minutes=45),),
        contacts=(Contact("C2", "王", L, birthday=Birthday(10, 1)),),
        surveys=(Survey("C1", date(2026, 9, 1), 8.25, L, nps=9),),
        settings=(("bogus", "1", Loc("in/book.xlsx", "Settings", 3)),),
        rows={"Customers": SheetCount(4, 3, 1)},
        problems=(Problem("error", "in/book.xlsx", "Customers", 5, "A", "customer_id", "", "missing"),),
        has_gross_profit=True, language="zh")


def test_summary_validates_against_the_schema_and_has_the_spec_shape():
    d = dataset()
    r = compute(d)
    out = SM.summary_dict(r, d, ["index.html", "summary.json"],
                          {"C1": {"html": "accounts/C1.html", "pdf": "accounts/C1.pdf"}})
    jsonschema.validate(out, SCHEMA)
    assert list(out)[:12] == ["schema", "generator", "period", "as_of", "language", "inputs", "rows",
                              "problems", "portfolio", "accounts", "managers", "outputs"]
    assert out["schema"] == "kamreport.summary/1" and out["generator"].startswith("kamreport ")
    assert (out["period"], out["as_of"], out["language"]) == ("2026Q3", "2026-09-30", "zh")
    assert out["rows"] == {"Customers": {"read": 4, "accepted": 3, "rejected": 1, "skipped": 0}}
    # one reader error + the engine's warning for the unknown setting "bogus"
    assert out["problems"] == {"fatal": 0, "error": 1, "warning": 1, "info": 0}
    assert out["settings"]["cadence_key"] == 30 and out["settings"]["mail_to"] == []
    a = {x["customer_id"]: x for x in out["accounts"]}
    assert a["C1"]["files"] == {"html": "accounts/C1.html", "pdf": "accounts/C1.pdf"}
    assert a["C3"]["files"] == {}
    assert [x["customer_id"] for x in out["accounts"]] == ["C1", "C2", "C3"]
    assert out["care"] == [{"customer_id": "C2", "name": "客户C2", "kind": "birthday",
                            "date": "2026-10-01", "who": "王", "days": 1}]


def test_rounding_and_nulls():
    d = dataset()
    out = SM.summary_dict(compute(d), d, [], {})
    a = {x["customer_id"]: x for x in out["accounts"]}
    c1, c2, c3 = a["C1"], a["C2"], a["C3"]
    assert c1["revenue_q"] == 1000.01               # money: 2 decimals, half-up (1000.005)
    assert c1["gross_profit_ttm"] == 333.33
    assert c2["revenue_q"] == 0.33                  # 1/3
    # growth_qoq = 1000.005 / 3000 - 1 = -0.666665 -> ratio, 4 decimals
    assert c1["growth_qoq"] == -0.6667
    assert c1["growth_yoy"] is None                 # no revenue a year earlier
    # share of wallet: TTM 4000.005 / 3000 = 1.333335 -> 1.3333
    assert c1["share_of_wallet"] == 1.3333
    assert c1["latest_satisfaction"] == 8.3         # score 8.25, 1 decimal half-up
    assert c1["health_components"]["satisfaction"] == 82.5
    assert c3["health"] is None and c3["health_band"] is None and c3["gross_profit_ttm"] is None
    assert c3["days_since_touch"] is None and c3["share_of_wallet"] is None
    assert out["portfolio"]["nps"] == 100.0


def test_round_helpers():
    assert SM.money(2.675) == 2.68                  # the float is 2.67499999…; half-up on "2.675"
    assert SM.ratio(0.12345) == 0.1235
    assert SM.score(72.25) == 72.3
    assert SM.score(-0.04) == 0.0 and str(SM.score(-0.04)) == "0.0"
    assert SM.money(None) is None


def test_write_summary_is_atomic_and_utf8(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text("old")
    SM.write_summary(str(path), {"name": "客户", "x": 1.5})
    assert json.loads(path.read_text(encoding="utf-8")) == {"name": "客户", "x": 1.5}
    assert os.listdir(tmp_path) == ["summary.json"]       # no temp file left


def test_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text("previous")
    with pytest.raises(ValueError):
        SM.write_summary(str(path), {"bad": float("nan")})
    assert path.read_text() == "previous" and os.listdir(tmp_path) == ["summary.json"]


def test_problems_csv(tmp_path):
    path = tmp_path / "problems.csv"
    probs = [Problem("error", "b.xlsx", "销售", 7, "C", "销售额", "abc", "不是数字"),
             Problem("warning", "b.xlsx", "Settings", None, "", "value", "=HYPERLINK(\"x\")", "bad, \"quoted\""),
             Problem("warning", "b.xlsx", "Sales", 3, "D", "revenue", "-300", "ok")]
    SM.write_problems_csv(str(path), probs)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")             # BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(SM.PROBLEM_COLUMNS)
    assert rows[1] == ["error", "b.xlsx", "销售", "7", "C", "销售额", "abc", "不是数字"]
    assert rows[2][3] == "" and rows[2][6] == "'=HYPERLINK(\"x\")" and rows[2][7] == "bad, \"quoted\""
    assert rows[3][6] == "-300"                        # a negative number stays as it is


def test_v1_1_keys_with_hand_computed_numbers():
    from dataclasses import replace
    from kamreport.model import Target
    d = replace(dataset(), targets=(Target("C1", date(2026, 9, 1), 1500.4, L),))
    out = SM.summary_dict(compute(d), d, [], {})
    jsonschema.validate(out, SCHEMA)
    a = {x["customer_id"]: x for x in out["accounts"]}
    c1, c2, c3 = a["C1"], a["C2"], a["C3"]
    # C1: growth qoq 1000.005 / 3000 - 1 -> clamped to 0; satisfaction 82.5; engagement 29 days -> 100;
    # service 100; no due action. Coverage .3 + .25 + .2 + .15 = .9; (0 + 20.625 + 20 + 15) / .9 = 61.80…
    assert (c1["health"], c1["health_band"], c1["health_coverage"]) == (61.8, "amber", 0.9)
    # C2 (designated, nothing else): engagement 0 + service 100 -> coverage .35: insufficient
    assert (c2["health"], c2["health_band"], c2["health_coverage"]) == (None, "insufficient", 0.35)
    assert c2["health_components"] == {"growth": None, "satisfaction": None, "engagement": 0.0,
                                       "service": 100.0, "execution": None}
    assert (c3["health_band"], c3["health_coverage"]) == (None, None)
    # target: 1000.005 / 1500.4 = 0.666492… -> 0.6665; money 2 decimals
    assert (c1["target_q"], c1["attainment_q"]) == (1500.4, 0.6665)
    assert (c2["target_q"], c2["attainment_q"]) == (None, None)
    assert (out["portfolio"]["target_q"], out["portfolio"]["attainment_q"]) == (1500.4, 0.6665)
    assert (out["managers"][0]["target_q"], out["managers"][0]["attainment_q"]) == (1500.4, 0.6665)
    # risks carry their next step, in the report language (zh)
    assert [(r["code"], r["severity"], r["action"]) for r in c1["risks"]] == [
        ("REVENUE_DROP", "high", "由李与客户决策者一起复盘该客户"),
        ("CONCENTRATION", "medium", "拓展其他客户，降低对该客户的依赖"),
        ("NO_ACTION_PLAN", "medium", "为高风险制定行动计划（负责人、截止日期）")]
    # history: newest first; at 06-30 C1 sold 3,000 in June, key by high_potential (the only market
    # size: headroom rank 100), no survey or touch yet -> insufficient; before, no revenue in the TTM:
    # potential 100, strategic (4 - 1) * 25 = 75 -> score (.3*100 + .2*75) / .5 = 90: a prospect
    assert [(h["as_of"], h["tier"], h["health"], h["health_band"], h["revenue_q"]) for h in c1["history"]] == [
        ("2026-09-30", "key", 61.8, "amber", 1000.01), ("2026-06-30", "key", None, "insufficient", 3000.0),
        ("2026-03-31", "prospect", None, None, 0.0), ("2025-12-31", "prospect", None, None, 0.0)]
    assert c1["tier_prev"] == c1["history"][1]["tier"]
    pf = out["portfolio"]
    assert pf["nps"] == 100.0                               # points, not a fraction
    assert pf["revenue_by_quarter"][-2:] == [
        {"label": "2026Q2", "revenue": 3000.0, "revenue_key": 3000.0, "target": None, "target_key": None},
        {"label": "2026Q3", "revenue": 1000.34, "revenue_key": 1000.34, "target": 1500.4, "target_key": 1500.4}]
    # movers: C1 1000.005 - 3000 = -1999.995 -> -2000.0 (half-up); C2 +1/3 -> 0.33
    assert pf["movers_up"] == [{"customer_id": "C2", "change": 0.33}]
    assert pf["movers_down"] == [{"customer_id": "C1", "change": -2000.0}]
    # revenue at risk: C1 4000.005 + C2 1/3 = 4000.3383… -> 4000.34
    assert pf["revenue_at_risk"] == 4000.34
    # headlines: pyramid key 2/3 vs 10 % (+.5667), time key 45/45 vs 60 % (+.4)
    assert [(h["code"], h["figure"], h["customers"]) for h in out["headlines"]] == [
        ("REVENUE_AT_RISK", 4000.34, ["C1", "C2"]), ("NO_ACTION_PLAN", 2, ["C1", "C2"]),
        ("LARGEST_DROP", -2000.0, ["C1"]), ("PYRAMID_OFF_TARGET", 0.5667, []),
        ("TIME_OFF_TARGET", 0.4, [])]
    assert out["headlines"][0]["message"] == "2 家重点客户有高风险，涉及近12个月销售额 ¥4,000"
