"""`kamreport init`: the committed samples, determinism, scaling, the blank
template, and the sample's design against the engine (SPEC §3–§4)."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from functools import lru_cache
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from kamreport.inputs import schema
from kamreport.cli import main
from kamreport.errors import KamError
from kamreport.model import Birthday
from kamreport.sample.cells import _wan, readme_title, sheet_values
from kamreport.sample.dataset import sample_dataset
from kamreport.sample.storylines import counts
from kamreport.sample.workbooks import write_workbook

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {"zh": ROOT / "inputs" / "sample-zh.xlsx", "en": ROOT / "inputs" / "sample-en.xlsx"}
RISK_CODES = {"REVENUE_DROP", "LOW_SATISFACTION", "CONTACT_OVERDUE", "OPEN_COMPLAINT",
              "CONTRACT_EXPIRING", "ACTION_OVERDUE", "CONCENTRATION", "RELATIONSHIP_DECLINING",
              "NO_ACCOUNT_MANAGER", "CREDIT_OVERDUE", "NO_ACTION_PLAN"}


def _norm(v):
    """A cell value as calamine reports it: blank '', numbers float."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    return v


def _trim(rows):
    out = []
    for r in rows:
        r = [_norm(v) for v in r]
        while r and r[-1] == "":
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


@lru_cache(maxsize=None)
def _sample(lang: str, n: int = 150, seed: int = 1):
    return sample_dataset(lang, n, seed)


@lru_cache(maxsize=None)
def _committed(lang: str) -> dict[str, list[list]]:
    return _read_values(SAMPLES[lang])


def _read_values(path) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: _trim(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in wb.sheet_names}


def _assert_same_values(actual: dict, expected: dict) -> None:
    assert list(actual) == list(expected)
    for sheet, rows in expected.items():
        rows = _trim(rows)
        got = actual[sheet]
        assert len(got) == len(rows), sheet
        for i, (a, e) in enumerate(zip(got, rows), 1):
            assert a == e, f"{sheet} row {i}: {a} != {e}"


# -- committed samples -------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_committed_sample_is_what_init_writes_now(lang):
    # xlsx bytes carry timestamps, so compare cell by cell. If this fails
    # after a deliberate change to sample/, regenerate with
    #   kamreport init inputs/sample-zh.xlsx --lang zh
    #   kamreport init inputs/sample-en.xlsx --lang en
    expected = sheet_values(_sample(lang), lang)
    _assert_same_values(_committed(lang), expected)


def test_writer_round_trip_through_the_cli(tmp_path):
    out = tmp_path / "s.xlsx"
    r = CliRunner().invoke(main, ["init", str(out), "--lang", "en", "--customers", "8", "--seed", "7"])
    assert r.exit_code == 0, r.output
    assert f"wrote {out}" in r.output
    _assert_same_values(_read_values(out), sheet_values(sample_dataset("en", 8, 7), "en"))


def test_committed_sample_has_realistic_messy_but_valid_cells():
    zh = _committed("zh")
    customers, sales = zh["客户"], zh["销售"]
    assert customers[0][0].startswith("客户主数据")          # title rows above the table
    assert customers[2][:2] == ["客户编号", "客户名称"]
    header = customers[2]
    since = [r[header.index("合作开始日期")] for r in customers[3:]]
    assert any(isinstance(v, str) and "年" in v and v.endswith("日") for v in since)
    market = [r[header.index("市场规模")] for r in customers[3:]]
    assert any(isinstance(v, str) and v.endswith("万") for v in market)
    growth = [r[header.index("市场增长率")] for r in customers[3:]]
    assert any(isinstance(v, str) and v.endswith("%") for v in growth)
    assert any(isinstance(r[2], str) and r[2].endswith("万") for r in sales[2:])
    en = _committed("en")
    assert any(isinstance(r[2], str) and r[2].startswith("¥") for r in en["Sales"][2:])


# -- determinism, seeds, languages, scale ------------------------------------

def test_same_seed_same_data_and_workbook(tmp_path):
    assert sample_dataset("zh", 40, 3) == sample_dataset("zh", 40, 3)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(str(a), lang="zh", customers=5, seed=5)
    write_workbook(str(b), lang="zh", customers=5, seed=5)
    assert _read_values(a) == _read_values(b)


def test_different_seeds_differ():
    a, b = sample_dataset("en", 40, 1), sample_dataset("en", 40, 2)
    assert [s.revenue for s in a.sales] != [s.revenue for s in b.sales]
    assert [c.name for c in a.customers] != [c.name for c in b.customers]


def test_zh_and_en_hold_the_same_numbers():
    zh, en = sample_dataset("zh", 30, 4), sample_dataset("en", 30, 4)
    key = lambda s: (s.customer_id, s.month, s.revenue, s.gross_profit, s.overdue_amount)  # noqa: E731
    assert [key(s) for s in zh.sales] == [key(s) for s in en.sales]
    assert [(a.date, a.type, a.minutes) for a in zh.activities] == [(a.date, a.type, a.minutes) for a in en.activities]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.customers[0].name)
    assert en.customers[0].name.isascii()
    # en translates zh: the same regions, industries and people, in English.
    from kamreport.sample.vocab import INDUSTRIES, REGIONS
    region_en, industry_en = dict(REGIONS), {i[0]: i[1] for i in INDUSTRIES}
    assert [region_en[c.region] for c in zh.customers] == [c.region for c in en.customers]
    assert [industry_en[c.industry] for c in zh.customers] == [c.industry for c in en.customers]
    assert len({c.name for c in en.customers}) == len({c.name for c in zh.customers}) == 30


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_tiny_portfolios_work(n):
    d = sample_dataset("en", n, 1)
    assert len(d.customers) == n
    assert d.sales   # at least one active customer


def test_customers_option_scales():
    small, large = sample_dataset("zh", 40, 1), sample_dataset("zh", 120, 1)
    assert (len(small.customers), len(large.customers)) == (40, 120)
    for d, n in ((small, 40), (large, 120)):
        # ≈ 250–350 activities per customer on average (key accounts ~1,200):
        # 700 customers give > 200,000 rows for the benchmark.
        assert 250 * n <= len(d.activities) <= 450 * n
    assert len(large.sales) > 2 * len(small.sales)


def test_counts_per_storyline():
    # 150: unattractive 0.08×150 = 12, lapsed 4.5 → 5, prospect 37.5 → 38,
    # new 3, active the rest 150 − 58 = 92 (rounding half up).
    assert counts(150) == {"unattractive": 12, "lapsed": 5, "prospect": 38, "new": 3, "active": 92}
    # 1 customer: everything else gives way to one active customer.
    assert counts(1) == {"unattractive": 0, "lapsed": 0, "prospect": 0, "new": 0, "active": 1}


def test_wan_text_is_exact():
    assert _wan(125300.0) == "12.53万"      # 125,300 / 10,000
    assert _wan(8500000.0) == "850万"


def test_sample_contents_cover_the_spec():
    d = _sample("zh")
    assert {a.type for a in d.activities} == set(schema.ACTIVITY_TYPE.keys)
    assert any(c.birthday == Birthday(2, 29, 1988) for c in d.contacts)
    by_month = defaultdict(float)
    for s in d.sales:
        by_month[s.customer_id, s.month] += s.revenue
    assert any(v < 0 for v in by_month.values())                      # returns
    assert max(s.month for s in d.sales) == date(2026, 9, 1)
    assert min(s.month for s in d.sales) == date(2024, 10, 1)
    assert len({c.customer_id for c in d.customers} - {s.customer_id for s in d.sales}) > 20   # prospects
    ends = [c.contract_end for c in d.customers if c.long_term_agreement and c.contract_end]
    as_of = date(2026, 9, 30)
    assert any(0 < (e - as_of).days <= 30 for e in ends)
    assert any(30 < (e - as_of).days <= 90 for e in ends)
    assert any(e < as_of for e in ends)
    assert {p.status for p in d.plans} == {"open", "done", "cancelled"}
    assert any(p.status == "done" and p.completed_on > p.due for p in d.plans)   # done late
    assert 6 <= len({c.account_manager for c in d.customers if c.account_manager}) <= 10
    assert any(c.relationship_type is None for c in d.customers)       # inferred
    assert {c.relationship_stage for c in d.customers} >= set(schema.RELATIONSHIP_STAGE.keys)


# -- the design, checked by the real reader and engine ------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sample_reads_clean_and_shows_every_class_and_risk(lang):
    from kamreport.engine.core import compute
    from kamreport.inputs.read import read_workbooks
    data = read_workbooks([str(SAMPLES[lang])])
    assert [p for p in data.problems if p.severity != "info"] == []
    assert all(c.rejected == 0 and c.read == c.accepted for c in data.rows.values())
    assert data.language == lang
    result = compute(data)
    assert result.period.label == "2026Q3"
    accounts = result.accounts
    tiers = Counter(a.tier for a in accounts)
    assert set(tiers) == {"key", "ordinary", "prospect", "unattractive"}
    assert 0.10 <= tiers["key"] / len(accounts) <= 0.16
    assert {a.abc_class for a in accounts} == {"A", "B", "C", "N"}
    assert {a.relationship_type for a in accounts} == set(schema.RELATIONSHIP_TYPE.keys)
    assert {a.relationship_type_source for a in accounts} == {"input", "inferred"}
    assert {x for a in accounts for x in a.key_reasons} == {"designated", "agreement", "top_contributor", "high_potential"}
    assert {r.code for a in accounts for r in a.risks} == RISK_CODES
    assert {r.severity for a in accounts for r in a.risks} == {"high", "medium"}
    assert {a.move for a in accounts} == {"up", "down", "same"}
    assert {a.health_band for a in accounts} == {"green", "amber", "red", "insufficient", None}
    assert {a.attractiveness for a in accounts} == {"high", "medium", "low"}


@pytest.mark.parametrize("n, seed", [(60, 3), (150, 2)])
def test_design_holds_for_other_sizes_and_seeds(n, seed):
    # The storylines are shares of the portfolio, not hand-picked rows, so
    # the coverage does not hinge on seed 1 (checked here on the records,
    # without the workbook round trip).
    from kamreport.engine.core import compute
    accounts = compute(sample_dataset("en", n, seed)).accounts
    assert {a.tier for a in accounts} == {"key", "ordinary", "prospect", "unattractive"}
    assert {a.abc_class for a in accounts} == {"A", "B", "C", "N"}
    assert {a.relationship_type for a in accounts} == set(schema.RELATIONSHIP_TYPE.keys)
    assert {r.code for a in accounts for r in a.risks} == RISK_CODES
    assert 0.10 <= sum(a.tier == "key" for a in accounts) / n <= 0.20


# -- blank template ------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_blank_template(tmp_path, lang):
    path = tmp_path / "blank.xlsx"
    r = CliRunner().invoke(main, ["init", str(path), "--blank", "--lang", lang])
    assert r.exit_code == 0, r.output
    wb = load_workbook(path)
    columns = "列映射" if lang == "zh" else "Columns"
    assert wb.sheetnames == [readme_title(lang)] + [s.title(lang) for s in schema.SHEETS] + [columns]
    # The Columns sheet shows the mapping forms as comment rows (SPEC §1.5).
    mapped = [[c.value for c in row] for row in wb[columns].iter_rows()]
    assert mapped[0][:6] == ["sheet", "column", "field", "unit", "value", "means"]
    assert all(str(r[0]).startswith("#") for r in mapped[1:]) and any(r[4] == "微信" for r in mapped)
    readme = [c.value for row in wb[readme_title(lang)].iter_rows() for c in row if c.value]
    assert any("客户" in v for v in readme) and any("Customers" in v for v in readme)   # bilingual
    yes_no = "是,否" if lang == "zh" else "yes,no"
    for sheet in schema.SHEETS:
        ws = wb[sheet.title(lang)]
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1]]
        assert headers == [c.header(lang) for c in sheet.columns]
        lists = {}
        for dv in ws.data_validations.dataValidation:
            for cr in dv.sqref.ranges:
                lists[cr.coord.split(":")[0].rstrip("0123456789")] = dv
        for j, col in enumerate(sheet.columns):
            cell = ws.cell(1, j + 1)
            letter = cell.column_letter
            assert cell.comment is not None, (sheet.key, col.key)
            assert col.zh in cell.comment.text and col.key in cell.comment.text
            assert ws.column_dimensions[letter].width >= 9
            if col.enum is not None:
                labels = [col.enum.label(k, lang) for k in col.enum.keys]
                assert lists[letter].type == "list"
                assert lists[letter].formula1 == '"' + ",".join(labels) + '"'
            elif col.type == schema.BOOL:
                assert lists[letter].formula1 == f'"{yes_no}"'
            elif col.type == schema.INT_1_5:
                assert (lists[letter].type, lists[letter].formula1, lists[letter].formula2) == ("whole", "1", "5")
            if col.type in (schema.DATE, schema.MONTH):
                assert ws.column_dimensions[letter].number_format.startswith("yyyy-mm")
            if col.type in (schema.MONEY, schema.MONEY_POS):
                assert ws.column_dimensions[letter].number_format == "#,##0.00"
        if sheet is not schema.SETTINGS:
            assert ws.max_row == 1   # headers only
    settings = wb[schema.SETTINGS.title(lang)]
    assert [c.value for c in settings[2]] == ["language", lang]


def test_blank_template_validates_clean(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_workbook(str(path), lang="en", blank=True)
    from kamreport.inputs.read import read_workbooks
    data = read_workbooks([str(path)])
    assert [p for p in data.problems if p.severity != "info"] == []
    assert data.rows["Customers"].read == 0 and data.rows["Settings"].accepted == 2
    r = CliRunner().invoke(main, ["validate", str(path), "--lang", "en"])
    assert r.exit_code == 0, r.output


# -- errors a user can fix -----------------------------------------------------

def test_missing_folder_is_a_clear_error(tmp_path):
    target = tmp_path / "nope" / "s.xlsx"
    with pytest.raises(KamError, match="不存在"):
        write_workbook(str(target), lang="zh", customers=5)
    r = CliRunner().invoke(main, ["init", str(target), "--customers", "5", "--lang", "en"])
    assert r.exit_code == 1 and "does not exist" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["init", str(target), "--customers", "5", "--lang", "zh"])
    assert r.exit_code == 1 and "不存在" in r.output


def test_wrong_extension_is_refused_and_leaves_nothing(tmp_path):
    with pytest.raises(KamError, match=r"\.xlsx"):
        write_workbook(str(tmp_path / "s.csv"), lang="en", customers=5)
    assert list(tmp_path.iterdir()) == []


def test_written_file_is_not_private(tmp_path):
    path = tmp_path / "s.xlsx"
    write_workbook(str(path), lang="en", customers=3)
    import os
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask   # as any saved file, not mkstemp's 0600


def test_too_many_customers_for_one_sheet(tmp_path):
    # 2,501 × ≈ 340 activities > 850,000 rows, heading for Excel's 1,048,576.
    r = CliRunner().invoke(main, ["init", str(tmp_path / "big.xlsx"), "--customers", "2501", "--lang", "en"])
    assert r.exit_code == 1 and "1,048,576" in r.output
    assert list(tmp_path.iterdir()) == []


def test_every_setting_key_is_documented_in_the_template():
    from dataclasses import fields
    from kamreport.sample.workbooks import SETTING_KEYS
    from kamreport.engine.settings import Settings
    # fx is the family fx_<CODE>; the template shows it with USD.
    assert set(SETTING_KEYS) == {f.name for f in fields(Settings)} - {"fx"} | {"fx_USD"}
