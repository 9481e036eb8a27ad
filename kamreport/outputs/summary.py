"""summary.json and problems.csv (SPEC §6).

`summary_dict` turns a `Result` into exactly the documented shape, plus a
few added keys (settings in force, care calendar, more portfolio figures);
none of the documented keys changes meaning. v1.1 (SPEC §6 "v1.1 adds"):
per account `health_coverage`, band `insufficient`, `history` (newest
first), `target_q`, `attainment_q` and `action` on every risk; in
`portfolio` `target_q`, `attainment_q`, `revenue_at_risk`,
`revenue_by_quarter` (oldest first), `movers_up`, `movers_down`; per manager
`target_q`, `attainment_q`; top-level `headlines` (figure by its `unit`:
count as an integer, money 2 decimals, ratio 4). Rounding happens only here:
money to 2 decimals, ratios (fractions, not percents) to 4, scores to 1,
half-up on the shortest decimal form, so 81.25 is 81.3 in the JSON as in
the reports. Risk messages, next steps and headlines are worded here from
the engine's codes and facts (kamreport.texts), in the report language.
Both writers are atomic: a temporary file in the same folder,
then `os.replace`, so a crash leaves the previous file or none.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import fields
from typing import Any, Iterable

from .. import __version__
from ..fmt import round_half_up
from ..atomic import write_atomic
from ..model import ERROR, FATAL, INFO, WARNING, Dataset, Problem
from ..engine.results import Account, CareItem, Headline, Result
from ..texts import sentences

SCHEMA_ID = "kamreport.summary/1"
PROBLEM_COLUMNS = ("severity", "file", "sheet", "row", "column", "header", "value", "message")


def _round(x: float | int | None, places: int) -> float | None:
    if x is None:
        return None
    return float(round_half_up(x, places)) + 0.0          # + 0.0 turns -0.0 into 0.0


def money(x):
    return _round(x, 2)


def ratio(x):
    return _round(x, 4)


def score(x):
    return _round(x, 1)


def _care(i: CareItem) -> dict[str, Any]:
    return {"customer_id": i.customer_id, "name": i.name, "kind": i.kind,
            "date": i.date.isoformat(), "who": i.who, "days": i.days}


def _account(a: Account, files: dict[str, str] | None, lang: str, currency: str) -> dict[str, Any]:
    return {
        "customer_id": a.customer_id, "name": a.name, "account_manager": a.account_manager,
        "tier": a.tier, "tier_prev": a.tier_prev, "move": a.move,
        "key_reasons": list(a.key_reasons), "abc_class": a.abc_class,
        "score": score(a.score), "pillars": {k: score(v) for k, v in a.pillars.items()},
        "attractiveness": a.attractiveness,
        "relationship_type": a.relationship_type, "relationship_type_source": a.relationship_type_source,
        "revenue_q": money(a.revenue_q), "revenue_pq": money(a.revenue_pq),
        "revenue_yq": money(a.revenue_yq), "revenue_ttm": money(a.revenue_ttm),
        "gross_profit_ttm": money(a.gross_profit_ttm),
        "growth_qoq": ratio(a.growth_qoq), "growth_yoy": ratio(a.growth_yoy),
        "share_of_wallet": ratio(a.share_of_wallet), "days_since_touch": a.days_since_touch,
        "latest_satisfaction": score(a.latest_satisfaction), "health": score(a.health),
        "health_band": a.health_band, "health_coverage": ratio(a.health_coverage),
        "target_q": money(a.target_q), "attainment_q": ratio(a.attainment_q),
        "history": [{"period": h.period, "as_of": h.as_of.isoformat(), "tier": h.tier,
                     "health": score(h.health), "health_band": h.health_band,
                     "revenue_q": money(h.revenue_q)} for h in a.history],
        "health_components": {h.name: score(h.value) for h in a.health_components},
        "risks": [{"code": r.code, "severity": r.severity,
                   "message": sentences.risk_message(r.code, r.params, lang, currency),
                   "action": sentences.next_step(r.code, r.params, lang, currency)}
                  for r in a.risks],
        "files": dict(files or {}),
        # added keys
        "relationship_stage": a.relationship_stage,
        "abc_cum_share_before": ratio(a.abc_cum_share_before),
        "tenure_years": _round(a.tenure_years, 2), "headroom": money(a.headroom),
        "market_size": money(a.market_size), "cadence": a.cadence,
        "touches_q": a.touches_q, "minutes_q": _round(a.minutes_q, 1),
        "complaints_ttm": a.complaints_ttm, "resolved_ttm": a.resolved_ttm,
        "open_complaints": a.open_complaints,
        "mean_resolution_days": _round(a.mean_resolution_days, 1),
        "prev_satisfaction": score(a.prev_satisfaction), "overdue_actions": a.overdue_actions,
        "revenue_by_quarter": [{"label": q.label, "revenue": money(q.revenue),
                                "gross_profit": money(q.gross_profit)} for q in a.revenue_by_quarter],
    }


def _settings(result: Result) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(result.settings):
        v = getattr(result.settings, f.name)
        if f.name == "logo" and v:
            v = os.path.basename(v)   # the folder differs per machine; the name is what matters
        out[f.name] = list(v) if isinstance(v, tuple) else v
    return out


def all_problems(result: Result, dataset: Dataset) -> list[Problem]:
    """The reader's problems followed by the engine's (settings)."""
    return list(dataset.problems) + list(result.extra.get("problems", ()))


def summary_dict(result: Result, dataset: Dataset, outputs: list[str],
                 files: dict[str, dict[str, str]]) -> dict[str, Any]:
    """summary.json as a dict: SPEC §6 plus added keys."""
    p = result.portfolio
    problems = all_problems(result, dataset)
    count = lambda sev: sum(1 for x in problems if x.severity == sev)  # noqa: E731
    prev = result.extra.get("prev_period")
    lang, currency = result.settings.language, result.settings.currency
    return {
        "schema": SCHEMA_ID,
        "generator": f"kamreport {__version__}",
        "period": result.period.label,
        "as_of": result.period.as_of.isoformat(),
        "language": result.settings.language,
        "inputs": [{"path": i.path, "sha256": i.sha256} for i in dataset.inputs],
        "rows": {k: {"read": v.read, "accepted": v.accepted, "rejected": v.rejected, "skipped": v.skipped}
                 for k, v in dataset.rows.items()},
        "problems": {"fatal": count(FATAL), "error": count(ERROR), "warning": count(WARNING),
                     "info": count(INFO)},
        "portfolio": {
            "customers": p.customers, "tiers": dict(p.tiers),
            "revenue_q": money(p.revenue_q), "revenue_ttm": money(p.revenue_ttm),
            "gross_profit_ttm": money(p.gross_profit_ttm),
            "growth_qoq": ratio(p.growth_qoq), "growth_yoy": ratio(p.growth_yoy),
            "nps": score(p.nps),
            "time_share": {k: ratio(v) for k, v in p.time_share.items()},
            # added keys
            "revenue_pq": money(p.revenue_pq), "revenue_yq": money(p.revenue_yq),
            "tier_share": {k: ratio(v) for k, v in p.tier_share.items()},
            "minutes_q": {k: _round(v, 1) for k, v in p.minutes_q.items()},
            "migrations": {k: dict(v) for k, v in p.migrations.items()},
            "abc_counts": dict(p.abc_counts),
            # v1.1
            "target_q": money(p.target_q), "attainment_q": ratio(p.attainment_q),
            "revenue_by_quarter": [{"label": q.label, "revenue": money(q.revenue),
                                    "revenue_key": money(q.revenue_key), "target": money(q.target),
                                    "target_key": money(q.target_key)} for q in p.revenue_by_quarter],
            "revenue_at_risk": money(p.revenue_at_risk),
            "movers_up": [{"customer_id": m.customer_id, "change": money(m.change)} for m in p.movers_up],
            "movers_down": [{"customer_id": m.customer_id, "change": money(m.change)} for m in p.movers_down],
        },
        "accounts": [_account(a, files.get(a.customer_id), lang, currency) for a in result.accounts],
        "managers": [{"account_manager": m.account_manager, "key": m.key, "ordinary": m.ordinary,
                      "revenue_q": money(m.revenue_q), "growth_qoq": ratio(m.growth_qoq),
                      "satisfaction": score(m.satisfaction),
                      "cadence_compliance": ratio(m.cadence_compliance),
                      "overdue_actions": m.overdue_actions, "high_risks": m.high_risks,
                      "target_q": money(m.target_q), "attainment_q": ratio(m.attainment_q)}
                     for m in result.managers],
        "outputs": list(outputs),
        # added keys
        "period_kind": result.period.kind,
        "prev_period": prev.label if prev is not None else None,
        "settings": _settings(result),
        "care": [_care(i) for i in result.care],
        "headlines": [_headline(h, lang, currency) for h in result.headlines],
    }


def _headline(h: Headline, lang: str, currency: str) -> dict[str, Any]:
    figure = {"count": lambda x: int(x), "money": money, "ratio": ratio}[h.unit](h.figure)
    out = {"code": h.code, "figure": figure, "unit": h.unit, "customers": list(h.customers),
           "message": sentences.headline(h.code, h.params, lang, currency)}
    if h.group is not None:
        out["group"] = h.group
    return out


def summary_json(summary: dict[str, Any]) -> str:
    # allow_nan=False: a NaN would make the file invalid JSON for other tools.
    return json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_summary(path: str, summary: dict[str, Any]) -> None:
    write_atomic(path, summary_json(summary).encode("utf-8"))


def _cell(text: str) -> str:
    # The file is meant to be opened in Excel; a value from an untrusted
    # workbook starting with = + @ (or - not followed by a number) would run
    # as a formula there, so it gets a leading apostrophe.
    if text[:1] in ("=", "+", "@", "\t", "\r") or (
            text[:1] == "-" and not text[1:2].isdigit() and text[1:2] != "."):
        return "'" + text
    return text


def problems_csv(problems: Iterable[Problem]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(PROBLEM_COLUMNS)
    for p in problems:
        w.writerow([p.severity, _cell(p.file), _cell(p.sheet), "" if p.row is None else p.row,
                    p.column, _cell(p.header), _cell(p.value), _cell(p.message)])
    return buf.getvalue()


def write_problems_csv(path: str, problems: Iterable[Problem]) -> None:
    """problems.csv, UTF-8 with a BOM so that Excel shows Chinese correctly."""
    write_atomic(path, problems_csv(problems).encode("utf-8-sig"))
