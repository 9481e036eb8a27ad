"""View models: `Result` + `Dataset` -> plain, picklable dict contexts.

One function per document (SPEC §6): `index_context`, `account_context`,
`booklet_front_context`, `booklet_appendix_context`. They are pure (no I/O,
no matplotlib) because the pipeline sends their output to worker processes;
`finish(context)` runs in the worker and turns the chart *data* in
`context["charts"]` into SVG strings in `context["svg"]`.

Templates never compute: everything a template prints is here, already
selected, sorted and labelled in the report language. Numbers stay numbers
(the `fmt` filters format them in the template) except where one cell mixes
several figures (pillar inputs, health bases), which are pre-formatted here.
Markdown sources (notes, activity summaries, survey comments, policy) stay
Markdown; the templates pass them through the pipeline's sanitising `md`
filter.

An account plan's context carries its long lists whole for the HTML page
and, in `in_pdf`, what its PDF shows of them (PDF_ROWS: the most relevant
rows, long cells shortened) with the line saying how many more there are
and where; notes over NOTES_PDF_MAX characters are shortened the same way
(`account.notes_pdf`) and reported as a warning problem.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import fields
from datetime import date
from typing import Any

from .. import __version__, fmt
from . import labels
from .colours import brand_color, tint
from ..texts import sentences
from ..model import WARNING, Dataset, Problem
from ..engine import evaluate
from ..engine.results import Account, Result
from ..engine.settings import Settings

TIER_ORDER = ("key", "ordinary", "prospect", "unattractive")
REASONS = ("designated", "agreement", "top_contributor", "high_potential")
ROLES = ("decision_maker", "influencer", "champion", "user", "gatekeeper")
ATTITUDES = ("supporter", "neutral", "opponent")
STAGES = ("very_strong", "good", "developing", "limited", "defensive", "declining")
ATTRACT = ("high", "medium", "low")
SEVERITY_RANK = {"high": 0, "medium": 1}
# SPEC §4 portfolio targets (share of customers and of sales time per tier)
# and health components, as the engine defines them; floats for the pages.
PYRAMID_TARGET = {g: float(v) for g, v in evaluate.PYRAMID_TARGET.items()}
TIME_TARGET = {g: float(v) for g, v in evaluate.TIME_TARGET.items()}
COMPONENTS = tuple(evaluate.HEALTH_WEIGHTS)
RECENT_ACTIVITIES = 12
# A notes cell holds up to 32,767 characters; the PDF prints this many (a
# page or so) and says where the rest is; the HTML plan prints all of it.
NOTES_PDF_MAX = 2_000
# An account may have thousands of contacts, actions or activities. Its HTML
# plan lists them (activities: the latest ACTIVITIES_HTML); its PDF (and
# its booklet section) the most relevant of them, saying how many more
# there are and where: a PDF stays a few pages, whatever the workbook holds.
PDF_ROWS = {"contacts": 20, "plans": 12, "competitors": 8, "care": 10, "activities": RECENT_ACTIVITIES}
ACTIVITIES_HTML = 200
# The booklet's care calendar (every key account's next 90 days): its PDF
# the soonest of them, saying how many more there are; booklet.html all.
BOOKLET_CARE_PDF = 40
TEXT_PDF_MAX = 200             # a cell in a PDF table row (an action, a summary, a title)
FIRST_PROBLEMS = 30
PARETO_MAX_BARS = 60
_ANCHOR_SAFE = re.compile(r"[A-Za-z0-9_-]+")


# --------------------------------------------------------------------------
# shared pieces

def account_anchor(customer_id: str) -> str:
    """The HTML id of an account's section, unique per customer_id.

    Plain ids keep their spelling ("acc-C001"); anything else is hex-encoded
    behind a different prefix ("acc_e5aea2…"), so two ids that differ only in
    punctuation or script never collide, a plain id can never spell another
    id's encoding, and the anchor never needs escaping in a URL.
    """
    if _ANCHOR_SAFE.fullmatch(customer_id):
        return "acc-" + customer_id
    return "acc_" + customer_id.encode("utf-8").hex()


def report_title(s: Settings, lang: str, period_kind: str = "quarter") -> str:
    """The report title in force: the setting, else the default for the period kind."""
    return _settings_ctx(s, labels.translator(lang), period_kind)["report_title"]


def _settings_ctx(s: Settings, t, period_kind: str = "quarter") -> dict[str, Any]:
    brand = brand_color(s.brand_color)
    # A monthly run (--period 2026-08) is not a "quarterly" review.
    default_title = t("default_report_title_month" if period_kind == "month" else "default_report_title")
    return {
        "company": s.company or "",
        "report_title": s.report_title or default_title,
        "brand_color": brand,
        # Light tints for table stripes, heat cells and tile backgrounds.
        "brand_tints": [tint(brand, a) for a in (0.06, 0.14, 0.28, 0.45, 0.65, 0.85)],
        "currency": s.currency or "CNY",
        "logo_data_uri": None,      # filled by the render pipeline
    }


def _base(result: Result, lang: str | None = None) -> tuple[dict[str, Any], Any]:
    lang = lang or result.settings.language or "en"
    lang = "zh" if lang == "zh" else "en"
    t = labels.translator(lang)
    p = result.period
    ctx = {
        "lang": lang,
        "mode": "html",
        "settings": _settings_ctx(result.settings, t, result.period.kind),
        "period": {"label": p.label, "kind": p.kind, "as_of": p.as_of},
        "generator": f"kamreport {__version__}",
        "charts": {},
        "svg": {},
    }
    return ctx, t


def _account_row(a: Account, t, files: dict | None = None) -> dict[str, Any]:
    """The columns an account shows in lists (index, booklet tables)."""
    high = sum(1 for r in a.risks if r.severity == "high")
    f = (files or {}).get(a.customer_id) or {}
    return {
        "customer_id": a.customer_id,
        "name": a.name,
        "anchor": account_anchor(a.customer_id),
        "account_manager": a.account_manager,
        "tier": a.tier,
        "tier_label": t("tier." + a.tier),
        "abc_class": a.abc_class,
        "score": a.score,
        "attractiveness": a.attractiveness,
        "attractiveness_label": t("attract." + a.attractiveness),
        "health": a.health,
        "health_band": a.health_band,
        "health_band_label": t("band." + a.health_band) if a.health_band else None,
        "revenue_q": a.revenue_q,
        "revenue_ttm": a.revenue_ttm,
        "growth_qoq": a.growth_qoq,
        "growth_yoy": a.growth_yoy,
        "high_risks": high,
        "risks": len(a.risks),
        "html": f.get("html"),
        "pdf": f.get("pdf"),
    }


_INDEX: dict[int, tuple[weakref.ref, dict[str, Any]]] = {}


def _index(obj: Any, build) -> dict[str, Any]:
    """Per-object lookup tables, built once per Dataset / Result.

    account_context is called once per account plan; scanning every
    activity and every account each time would make `--accounts all` on a
    large workbook quadratic. Keyed by identity with a weak reference, so a
    new dataset (or a freed one whose id is reused) is never served stale data.
    """
    hit = _INDEX.get(id(obj))
    if hit is not None and hit[0]() is obj:
        return hit[1]
    table = build(obj)
    for k in [k for k, (ref, _) in _INDEX.items() if ref() is None]:
        del _INDEX[k]
    _INDEX[id(obj)] = (weakref.ref(obj), table)
    return table


def _group_dataset(d: Dataset) -> dict[str, Any]:
    out: dict[str, dict[str, list]] = {}
    for name in ("contacts", "competitors", "plans", "activities", "surveys", "customers"):
        g: dict[str, list] = {}
        for rec in getattr(d, name):
            g.setdefault(rec.customer_id, []).append(rec)
        out[name] = g
    return out


def _by_customer(dataset: Dataset, name: str, customer_id: str) -> list:
    """The records of one sheet for one customer, in workbook order."""
    return list(_index(dataset, _group_dataset)[name].get(customer_id, ()))


# --------------------------------------------------------------------------
# index.html

def index_context(result: Result, dataset: Dataset, files: dict) -> dict[str, Any]:
    """Portfolio overview: KPIs, tiers, every account with links to its files."""
    ctx, t = _base(result)
    pf = result.portfolio
    high = sum(1 for a in result.accounts for r in a.risks if r.severity == "high")
    ctx["portfolio"] = {
        "customers": pf.customers,
        "key": pf.tiers.get("key", 0),
        "revenue_q": pf.revenue_q,
        "revenue_ttm": pf.revenue_ttm,
        "gross_profit_ttm": pf.gross_profit_ttm,
        "growth_qoq": pf.growth_qoq,
        "growth_yoy": pf.growth_yoy,
        "nps": pf.nps,
        "high_risks": high,
        "high_key": _high_key(result),
    }
    ctx["tiers"] = [
        {"tier": k, "label": t("tier." + k), "count": pf.tiers.get(k, 0),
         "share": (pf.tiers.get(k, 0) / pf.customers) if pf.customers else None}
        for k in TIER_ORDER]
    ctx["accounts"] = [_account_row(a, t, files) for a in result.accounts]
    ctx["booklet"] = {"html": "booklet.html", "pdf": "booklet.pdf"}
    ctx["title"] = ctx["settings"]["report_title"]
    return ctx


# --------------------------------------------------------------------------
# account.html

def _why_tier(a: Account, s: Settings, t, money, lang: str) -> dict[str, Any]:
    """Each key-account criterion, whether it is met, and the fact behind it."""
    yes, no = t("yes"), t("no")
    colon, semi, po, pc = t("colon"), t("semicolon"), t("paren_open"), t("paren_close")
    pot = a.pillars.get("potential")
    facts = {
        "designated": f'{t("designated_key")}{colon}{yes if a.designated_key else no}',
        "agreement": (f'{t("long_term_agreement")}{colon}{yes if a.long_term_agreement else no}'
                      + (f'{semi}{t("contract_end")}{colon}{fmt.make_date(lang)(a.contract_end)}'
                         if a.contract_end else "")),
        "top_contributor": (f'{t("abc_class")} {a.abc_class}'
                            + (f'{po}{t("cumulative_share")} {fmt.pct(a.abc_cum_share_before)}{pc}'
                               if a.abc_cum_share_before is not None else "")),
        "high_potential": (f'{t("pillar.potential")} {fmt.score(pot)} / {fmt.score(s.high_potential)}{semi}'
                           f'{t("revenue_ttm")} {money(a.revenue_ttm)}'),
    }
    reasons = [{"key": r, "label": t("reason." + r), "met": r in a.key_reasons, "fact": facts[r]}
               for r in REASONS]
    pi = a.pillar_inputs
    pr = t("percentile")
    weights = {"value": s.weight_value, "potential": s.weight_potential, "strategic": s.weight_strategic}
    inputs = {
        "value": [f'{t("revenue_ttm")} {money(a.revenue_ttm)}{po}{pr} {fmt.score(pi.revenue_ttm_pr)}{pc}',
                  f'{t("gross_profit_ttm")} {money(a.gross_profit_ttm)}{po}{pr} {fmt.score(pi.gross_profit_ttm_pr)}{pc}'],
        "potential": [f'{t("headroom")} {money(pi.headroom)}{po}{pr} {fmt.score(pi.headroom_pr)}{pc}',
                      f'{t("market_growth")} {fmt.pct(pi.market_growth)}{po}{pr} {fmt.score(pi.market_growth_pr)}{pc}'],
        # The strategic pillar's inputs are the two 1–5 ratings of Customers.
        "strategic": [f'{t("strategic_fit")} {fmt.num(pi.strategic_fit)}/5',
                      f'{t("industry_position")} {fmt.num(pi.industry_position)}/5'],
    }
    pillars = [{"key": k, "label": t("pillar." + k), "value": a.pillars.get(k),
                "weight": weights[k], "inputs": inputs[k]} for k in ("value", "potential", "strategic")]
    return {"reasons": reasons, "any_met": bool(a.key_reasons), "pillars": pillars,
            "tier_rule": t("tier_rule." + a.tier) if a.tier != "key" else None,
            "score": a.score, "attractiveness_label": t("attract." + a.attractiveness)}


def _clip(rows: list[dict], texts: tuple[str, ...]) -> tuple[list[dict], bool]:
    """Copies of `rows` whose `texts` (cells of up to 32,767 characters) are
    cut to TEXT_PDF_MAX characters with "…"; True when one was cut."""
    out, cut = [], False
    for r in rows:
        changes = {}
        for f in texts:
            v = r.get(f)
            short = shorten_markdown(v, TEXT_PDF_MAX) if isinstance(v, str) else None
            if short is not None:
                changes[f] = short + " …"
        if changes:
            cut, r = True, dict(r, **changes)
        out.append(r)
    return out, cut


def _for_pdf(rows: list, limit: int, t, key: str, texts: tuple[str, ...] = (),
             total: int | None = None) -> dict[str, Any]:
    """What the PDF shows of a list: its first `limit` rows (the list is most
    relevant first) with their long `texts` shortened; `note` says how many
    rows are left out and where they are (`total`: rows the list stands
    for, when `rows` is itself a part of them); `texts_note` that a text was
    shortened."""
    total = len(rows) if total is None else total
    shown, cut = _clip(rows[:limit], texts)
    more = total - len(shown)
    return {"rows": shown, "more": max(more, 0),
            "note": t(key, shown=fmt.num(len(shown)), n=fmt.num(more)) if more > 0 else None,
            "texts_note": t("texts_shortened") if cut else None}


def _most_influential(contacts: list) -> list:
    role_rank = {r: i for i, r in enumerate(ROLES)}
    return sorted(contacts, key=lambda c: (-(c.influence or 0), role_rank.get(c.role, len(ROLES)), c.name))


def _stakeholders(contacts: list, t) -> dict[str, Any]:
    """Contacts in a role × attitude grid, most influential first in a cell."""
    roles = list(ROLES) + (["none"] if any(c.role not in ROLES for c in contacts) else [])
    atts = list(ATTITUDES) + (["none"] if any(c.attitude not in ATTITUDES for c in contacts) else [])
    grid = []
    for r in roles:
        cells = []
        for at in atts:
            people = [c for c in contacts
                      if (c.role if c.role in ROLES else "none") == r
                      and (c.attitude if c.attitude in ATTITUDES else "none") == at]
            people.sort(key=lambda c: (-(c.influence or 0), c.name))
            cells.append({"attitude": at, "people": [
                {"name": c.name, "title": c.title, "influence": c.influence} for c in people]})
        grid.append({"role": r, "label": t("role." + r), "cells": cells,
                     "count": sum(len(c["people"]) for c in cells)})
    return {"attitudes": [{"key": at, "label": t("attitude." + at)} for at in atts],
            "rows": grid, "count": len(contacts)}


def _engagement(a: Account, t) -> dict[str, Any]:
    d, c = a.days_since_touch, a.cadence
    if c is None:
        status = "no_cadence"
    elif d is None:
        status = "no_touch"
    else:
        status = "within_cadence" if d <= c else "beyond_cadence"
    return {"days": d, "cadence": c, "status": status, "status_label": t(status),
            "ok": status in ("within_cadence", "no_cadence"),
            "touches_q": a.touches_q, "minutes_q": a.minutes_q}


def shorten_markdown(text: str, limit: int) -> str | None:
    """`text` cut to at most `limit` characters at the last paragraph break,
    line break or space of its second half; None when it is short enough."""
    if len(text) <= limit:
        return None
    head = text[:limit]
    for sep in ("\n\n", "\n", " "):
        i = head.rfind(sep)
        if i >= limit // 2:
            return head[:i].rstrip()
    return head


def _long_notes(result: Result, customer, a: Account, notes: str, shown: int, lang: str) -> None:
    """Report notes shortened in the PDF as a warning problem (problems.csv,
    the build's warnings): pointing at the notes' row, once per account."""
    loc = customer.loc if customer is not None else None
    problem = Problem(
        WARNING, loc.file if loc else "", loc.sheet if loc else "", loc.row if loc else None,
        header="notes", value=f"{len(notes)}",
        message=labels.label("notes_shortened_problem", lang, id=a.customer_id,
                             n=fmt.num(len(notes)), shown=fmt.num(shown)))
    problems = result.extra.setdefault("problems", [])
    if problem not in problems:
        problems.append(problem)


def account_context(result: Result, dataset: Dataset, customer_id: str) -> dict[str, Any]:
    """The account plan of one customer (SPEC §6), for its page and the booklet."""
    ctx, t = _base(result)
    lang = ctx["lang"]
    a = _index(result, lambda r: {x.customer_id: x for x in reversed(r.accounts)}).get(customer_id)
    if a is None:
        raise KeyError(f"no account {customer_id!r} in the result")
    s = result.settings
    as_of = result.period.as_of
    money = fmt.make_money_short(ctx["settings"]["currency"], lang)
    customer = next(iter(_by_customer(dataset, "customers", customer_id)), None)

    row = _account_row(a, t)
    row.update({
        "industry": a.industry, "region": a.region,
        "executive_sponsor": a.executive_sponsor, "sales_manager": a.sales_manager,
        "tier_prev": a.tier_prev, "tier_prev_label": t("tier." + a.tier_prev),
        "move": a.move, "move_label": t("move." + a.move),
        "relationship_type": a.relationship_type,
        "relationship_type_label": t("rel_type." + a.relationship_type),
        "relationship_type_source_label": t("source_" + a.relationship_type_source),
        "relationship_stage": a.relationship_stage,
        "relationship_stage_label": t("rel_stage." + a.relationship_stage) if a.relationship_stage else None,
        "revenue_pq": a.revenue_pq, "revenue_yq": a.revenue_yq,
        "gross_profit_ttm": a.gross_profit_ttm, "share_of_wallet": a.share_of_wallet,
        "market_size": a.market_size, "headroom": a.headroom, "tenure_years": a.tenure_years,
        "latest_satisfaction": a.latest_satisfaction, "prev_satisfaction": a.prev_satisfaction,
        "complaints_ttm": a.complaints_ttm, "resolved_ttm": a.resolved_ttm,
        "open_complaints": a.open_complaints, "mean_resolution_days": a.mean_resolution_days,
        "overdue_actions": a.overdue_actions, "contract_end": a.contract_end,
        "long_term_agreement": a.long_term_agreement,
        "strategy": sentences.strategy(a.tier, lang),
        "notes": a.notes if a.notes is not None else (customer.notes if customer else None),
    })
    notes = row["notes"]
    notes_pdf = shorten_markdown(notes, NOTES_PDF_MAX) if notes else None
    row["notes_pdf"] = notes_pdf            # None: the PDF prints the notes whole
    row["notes_pdf_note"] = (t("notes_shortened", shown=fmt.num(len(notes_pdf)), n=fmt.num(len(notes)))
                             if notes_pdf is not None else None)
    if notes_pdf is not None:
        _long_notes(result, customer, a, notes, len(notes_pdf), lang)
    ctx["account"] = row
    ctx["anchor"] = row["anchor"]
    ctx["title"] = f'{a.name} · {t("account_plan")}'
    ctx["team"] = [
        {"label": t("account_manager"), "value": a.account_manager},
        {"label": t("executive_sponsor"), "value": a.executive_sponsor},
        {"label": t("sales_manager"), "value": a.sales_manager},
    ]
    ctx["why"] = _why_tier(a, s, t, money, lang)
    ctx["health"] = {
        "value": a.health, "band": a.health_band,
        "band_label": t("band." + a.health_band) if a.health_band else None,
        "components": [{"key": h.name, "label": t("component." + h.name), "weight": h.weight,
                        "value": h.value, "basis": sentences.health_basis(h.name, h.params, lang)}
                       for h in a.health_components],
    }
    ctx["engagement"] = _engagement(a, t)
    contacts = _by_customer(dataset, "contacts", customer_id)
    ctx["stakeholders"] = _stakeholders(contacts, t)
    in_pdf: dict[str, Any] = {}       # what the PDF shows of the long lists (see PDF_ROWS)
    top = _for_pdf(_most_influential(contacts), PDF_ROWS["contacts"], t, "more_contacts_pdf")
    grid, cut = _stakeholders(top["rows"], t), False
    for row in grid["rows"]:
        for cell in row["cells"]:
            cell["people"], c = _clip(cell["people"], ("name", "title"))
            cut = cut or c
    in_pdf["stakeholders"] = dict(grid, note=top["note"], texts_note=t("texts_shortened") if cut else None)
    comps = sorted(_by_customer(dataset, "competitors", customer_id),
                   key=lambda c: (-(c.share or 0), c.competitor))
    ctx["competitors"] = [{"name": c.competitor, "share": c.share, "strengths": c.strengths,
                           "weaknesses": c.weaknesses} for c in comps]
    in_pdf["competitors"] = _for_pdf(ctx["competitors"], PDF_ROWS["competitors"], t, "more_competitors_pdf",
                                     ("name", "strengths", "weaknesses"))
    risks = sorted(a.risks, key=risk_order)
    ctx["risks"] = [{"code": r.code, "label": t("risk." + r.code), "severity": r.severity,
                     "severity_label": t("severity." + r.severity), "message": risk_message(r, result, lang),
                     "action": risk_action(r, result, lang)} for r in risks]

    # Action plan: open actions first (overdue ones at the top, SPEC §6
    # "overdue highlighted"), then done, then cancelled; by due date within.
    status_rank = {"open": 0, "done": 1, "cancelled": 2}
    plans = []
    for p in _by_customer(dataset, "plans", customer_id):
        overdue = p.status == "open" and p.due is not None and p.due < as_of
        plans.append({"objective": p.objective, "action": p.action, "owner": p.owner, "due": p.due,
                      "status": p.status, "status_label": t("plan_status." + p.status),
                      "completed_on": p.completed_on, "overdue": overdue})
    plans.sort(key=lambda p: (status_rank.get(p["status"], 3), not p["overdue"],
                              p["due"] or date.max, p["objective"], p["action"]))
    ctx["plans"] = plans
    in_pdf["plans"] = _for_pdf(plans, PDF_ROWS["plans"], t, "more_plans_pdf", ("objective", "action", "owner"))

    acts = [x for x in _by_customer(dataset, "activities", customer_id) if x.date <= as_of]
    acts.sort(key=lambda x: (x.date, x.type), reverse=True)
    ctx["activities"] = [{"date": x.date, "type": x.type, "type_label": t("activity." + x.type),
                          "owner": x.owner, "contact": x.contact, "minutes": x.minutes,
                          "summary": x.summary} for x in acts[:ACTIVITIES_HTML]]
    ctx["activities_total"] = len(acts)
    ctx["activities_note"] = (t("more_activities_html", shown=fmt.num(ACTIVITIES_HTML),
                                n=fmt.num(len(acts) - ACTIVITIES_HTML)) if len(acts) > ACTIVITIES_HTML else None)
    in_pdf["activities"] = _for_pdf(ctx["activities"], PDF_ROWS["activities"], t, "more_activities_pdf",
                                    ("owner", "contact", "summary"), total=len(acts))

    surveys = [x for x in _by_customer(dataset, "surveys", customer_id)
               if x.date <= as_of and x.comment and x.comment.strip()]
    surveys.sort(key=lambda x: x.date, reverse=True)
    ctx["survey_comments"] = [{"date": x.date, "score": x.score, "comment": x.comment} for x in surveys[:3]]
    in_pdf["survey_comments"] = _for_pdf(ctx["survey_comments"], 3, t, "", ("comment",))

    ctx["care"] = [{"kind": c.kind, "kind_label": t("care." + c.kind), "date": c.date, "who": c.who,
                    "days": c.days} for c in sorted(a.care, key=lambda c: (c.date, c.kind, c.who or ""))]
    in_pdf["care"] = _for_pdf(ctx["care"], PDF_ROWS["care"], t, "more_care_pdf", ("who",))
    ctx["in_pdf"] = in_pdf
    _first_page(ctx, a, result, t, lang)

    ctx["charts"] = {
        "revenue_trend": {
            "kind": "revenue_trend", "lang": lang, "brand": ctx["settings"]["brand_color"],
            "labels": [q.label for q in a.revenue_by_quarter],
            "revenue": [q.revenue for q in a.revenue_by_quarter],
            "gross_profit": [q.gross_profit for q in a.revenue_by_quarter],
            "names": [t("revenue"), t("gross_profit")],
        },
        "health": {
            "kind": "health", "lang": lang, "brand": ctx["settings"]["brand_color"],
            "labels": [t("component." + h.name) for h in a.health_components],
            "values": [h.value for h in a.health_components],
            "weights": [h.weight for h in a.health_components],
        } if a.health is not None else None,
    }
    # A chart without data stays a key (None): the templates (StrictUndefined)
    # test `svg.health`, which must exist whether or not it is drawn.
    return ctx


# --------------------------------------------------------------------------
# booklet: front matter

def _highlights(result: Result, t, lang: str) -> list[str]:
    """Executive-summary sentences with the numbers that matter most."""
    pf = result.portfolio
    money_s = fmt.make_money_short(result.settings.currency or "CNY", lang)
    out = [t("hl_revenue", revenue=money_s(pf.revenue_q), qoq=fmt.growth(pf.growth_qoq),
             yoy=fmt.growth(pf.growth_yoy), ttm=money_s(pf.revenue_ttm))]
    key = [a for a in result.accounts if a.tier == "key"]
    key_rev = sum(a.revenue_ttm for a in key)
    out.append(t("hl_key", n=len(key), share=fmt.pct(pf.tier_share.get("key")),
                 rev_share=fmt.pct(key_rev / pf.revenue_ttm if pf.revenue_ttm > 0 else None)))
    out.append(t("hl_time", share=fmt.pct(pf.time_share.get("key")), target=fmt.pct(TIME_TARGET["key"], 0)))
    high = [(a, r) for a in key for r in a.risks if r.severity == "high"]
    codes: dict[str, int] = {}
    for _, r in high:
        codes[r.code] = codes.get(r.code, 0) + 1
    top = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    sep = t("list.sep")
    out.append(t("hl_risks", n=len(high), accounts=len({a.customer_id for a, _ in high}),
                 top=sep.join(f'{t("risk." + c)}{t("paren_open")}{n}{t("paren_close")}' for c, n in top)
                 or t("none")))
    up = sum(1 for a in result.accounts if a.move == "up")
    down = sum(1 for a in result.accounts if a.move == "down")
    out.append(t("hl_moves", up=up, down=down))
    red = sum(1 for a in key if a.health_band == "red")
    out.append(t("hl_health", red=red, nps=fmt.num(pf.nps, 1)))
    return out


def _pareto(result: Result) -> dict[str, Any]:
    """ABC chart data: basis values highest first, binned when there are many."""
    vals = sorted(((a.abc_basis_value, a.customer_id, a.abc_class) for a in result.accounts
                   if a.abc_basis_value is not None and a.abc_basis_value > 0),
                  key=lambda v: (-v[0], v[1]))
    total = sum(v[0] for v in vals)
    n = len(vals)
    # Bars per customer up to PARETO_MAX_BARS; beyond that each bar sums an
    # equal slice of the ranking so the chart stays legible and the SVG small.
    size = max(1, -(-n // PARETO_MAX_BARS))
    bars, cum, classes, acc = [], [], [], 0.0
    for i in range(0, n, size):
        chunk = vals[i:i + size]
        s = sum(v[0] for v in chunk)
        acc += s
        bars.append(s)
        cum.append(acc / total if total else 0.0)
        classes.append(chunk[0][2])
    return {"values": bars, "cumulative": cum, "classes": classes, "customers": n,
            "per_bar": size, "total": total}


def booklet_front_context(result: Result, dataset: Dataset, toc: list[dict]) -> dict[str, Any]:
    """Cover, contents, summary and the portfolio pages of the booklet."""
    ctx, t = _base(result)
    lang = ctx["lang"]
    pf = result.portfolio
    s = result.settings
    brand = ctx["settings"]["brand_color"]
    ctx["title"] = ctx["settings"]["report_title"]
    ctx["toc"] = [dict(e) for e in toc]
    high = sum(1 for a in result.accounts for r in a.risks if r.severity == "high")
    ctx["portfolio"] = {
        "customers": pf.customers, "key": pf.tiers.get("key", 0),
        "revenue_q": pf.revenue_q, "revenue_ttm": pf.revenue_ttm, "gross_profit_ttm": pf.gross_profit_ttm,
        "growth_qoq": pf.growth_qoq, "growth_yoy": pf.growth_yoy, "nps": pf.nps, "high_risks": high,
        "high_key": _high_key(result),
    }
    ctx["highlights"] = _highlights(result, t, lang)
    ctx["dashboard"] = dashboard_context(result, dataset, t, lang)
    ctx["summary_points"] = summary_points(result, t, lang)
    ctx["key_accounts"] = [_account_row(a, t) for a in result.accounts if a.tier == "key"]

    groups = ("key", "ordinary", "other")
    counts = {"key": pf.tiers.get("key", 0), "ordinary": pf.tiers.get("ordinary", 0),
              "other": pf.tiers.get("prospect", 0) + pf.tiers.get("unattractive", 0)}
    ctx["pyramid"] = [{"group": g, "label": t("tier." + g), "count": counts[g],
                       "share": pf.tier_share.get(g), "target": PYRAMID_TARGET[g],
                       "gap": (pf.tier_share.get(g) - PYRAMID_TARGET[g]) if pf.tier_share.get(g) is not None else None}
                      for g in groups]
    ctx["time"] = [{"group": g, "label": t("tier." + g), "minutes": pf.minutes_q.get(g, 0.0),
                    "hours": pf.minutes_q.get(g, 0.0) / 60, "share": pf.time_share.get(g),
                    "target": TIME_TARGET[g],
                    "gap": (pf.time_share.get(g) - TIME_TARGET[g]) if pf.time_share.get(g) is not None else None}
                   for g in groups]

    basis = s.abc_basis if (s.abc_basis == "revenue" or dataset.has_gross_profit) else "revenue"
    pareto = _pareto(result)
    abc_rows = []
    for cls in ("A", "B", "C", "N"):
        members = [a for a in result.accounts if a.abc_class == cls]
        v = sum(a.abc_basis_value for a in members if a.abc_basis_value and a.abc_basis_value > 0)
        abc_rows.append({"cls": cls, "count": pf.abc_counts.get(cls, len(members)),
                         "basis": v if cls != "N" else None,
                         "share": (v / pareto["total"]) if pareto["total"] and cls != "N" else None})
    ctx["abc"] = {"rows": abc_rows, "basis_label": t("basis." + basis), "customers": pareto["customers"],
                  "per_bar": pareto["per_bar"], "a_cut": s.abc_a_cut, "b_cut": s.abc_b_cut}

    # Portfolio matrix: attractiveness × relationship stage (heat table).
    stages = list(STAGES) + (["none"] if any(a.relationship_stage not in STAGES for a in result.accounts) else [])
    cells = {(at, st): [0, 0] for at in ATTRACT for st in stages}
    for a in result.accounts:
        st = a.relationship_stage if a.relationship_stage in STAGES else "none"
        c = cells[(a.attractiveness, st)]
        c[0] += 1
        c[1] += a.tier == "key"
    peak = max([c[0] for c in cells.values()] + [1])
    tints = ctx["settings"]["brand_tints"]
    ctx["matrix"] = {
        "stages": [{"key": st, "label": t("rel_stage." + st) if st != "none" else t("stage_unknown")}
                   for st in stages],
        "rows": [{"key": at, "label": t("attract." + at), "cells": [
            {"count": cells[(at, st)][0], "key": cells[(at, st)][1],
             # Heat level 0–5 by share of the busiest cell; 0 only when empty.
             "level": (0 if cells[(at, st)][0] == 0 else 1 + min(4, int(4 * cells[(at, st)][0] / peak))),
             } for st in stages]} for at in ATTRACT],
    }
    for row in ctx["matrix"]["rows"]:
        for c in row["cells"]:
            c["bg"] = "#ffffff" if c["level"] == 0 else tints[c["level"]]
            c["dark"] = c["level"] >= 4

    ctx["migrations"] = {
        "tiers": [{"key": k, "label": t("tier." + k)} for k in TIER_ORDER],
        "rows": [{"key": p, "label": t("tier." + p),
                  "cells": [{"count": pf.migrations.get(p, {}).get(n, 0), "diag": p == n} for n in TIER_ORDER]}
                 for p in TIER_ORDER],
        "moves": [{**_account_row(a, t), "from_label": t("tier." + a.tier_prev), "move": a.move,
                   "move_label": t("move." + a.move)}
                  for a in sorted((a for a in result.accounts if a.move != "same"),
                                  key=lambda a: (a.move != "up", TIER_ORDER.index(a.tier), a.customer_id))],
    }

    # Risk register: every risk of a key account and the high risks of
    # ordinary customers, high before medium, key before ordinary. Listing
    # every medium risk of every customer would run to dozens of pages on a
    # large portfolio; the summary table above it still counts them all.
    reg = []
    for a in result.accounts:
        if a.tier not in ("key", "ordinary"):
            continue
        for r in a.risks:
            if a.tier == "ordinary" and r.severity != "high":
                continue
            # Only key accounts have a section in the booklet to link to.
            reg.append({"customer_id": a.customer_id, "name": a.name,
                        "anchor": account_anchor(a.customer_id) if a.tier == "key" else None,
                        "tier": a.tier, "tier_label": t("tier." + a.tier), "account_manager": a.account_manager,
                        "code": r.code, "label": t("risk." + r.code), "severity": r.severity,
                        "severity_label": t("severity." + r.severity),
                        "message": risk_message(r, result, lang)})
    reg.sort(key=lambda r: (SEVERITY_RANK.get(r["severity"], 9), TIER_ORDER.index(r["tier"]),
                            r["customer_id"], r["code"]))
    ctx["risk_register"] = reg
    # Counts per risk code over every account (the register itself lists
    # key and ordinary accounts only).
    by_code: dict[str, dict[str, int]] = {}
    for a in result.accounts:
        for r in a.risks:
            counts = by_code.setdefault(r.code, {"high": 0, "medium": 0})
            counts[r.severity] = counts.get(r.severity, 0) + 1
    ctx["risk_summary"] = [{"code": c, "label": t("risk." + c), "high": v.get("high", 0),
                            "medium": v.get("medium", 0)}
                           for c, v in sorted(by_code.items(), key=lambda kv: (-kv[1]["high"] - kv[1]["medium"], kv[0]))]

    ctx["managers"] = [{"name": m.account_manager or t("unassigned"), "key": m.key, "ordinary": m.ordinary,
                        "revenue_q": m.revenue_q, "growth_qoq": m.growth_qoq, "satisfaction": m.satisfaction,
                        "cadence_compliance": m.cadence_compliance, "overdue_actions": m.overdue_actions,
                        "high_risks": m.high_risks} for m in result.managers]
    ctx["care"] = [{"customer_id": c.customer_id, "name": c.name, "anchor": account_anchor(c.customer_id),
                    "kind": c.kind, "kind_label": t("care." + c.kind), "date": c.date, "who": c.who,
                    "days": c.days} for c in result.care]
    ctx["in_pdf"] = {"care": _for_pdf(ctx["care"], BOOKLET_CARE_PDF, t, "more_care_booklet_pdf", ("name", "who"))}

    ctx["charts"] = {
        "pyramid": {"kind": "pyramid", "lang": lang, "brand": brand,
                    "labels": [r["label"] for r in ctx["pyramid"]],
                    "counts": [r["count"] for r in ctx["pyramid"]],
                    "actual": [r["share"] for r in ctx["pyramid"]],
                    "target": [r["target"] for r in ctx["pyramid"]],
                    "names": [t("actual"), t("target")]},
        "time": {"kind": "target_bars", "lang": lang, "brand": brand,
                 "labels": [r["label"] for r in ctx["time"]],
                 "actual": [r["share"] for r in ctx["time"]],
                 "target": [r["target"] for r in ctx["time"]],
                 "names": [t("actual"), t("target")]},
        "pareto": {"kind": "pareto", "lang": lang, "brand": brand,
                   "values": pareto["values"], "cumulative": pareto["cumulative"],
                   "classes": pareto["classes"], "cuts": [s.abc_a_cut, s.abc_b_cut],
                   "names": [t("basis." + basis), t("cumulative_share")],
                   "xlabel": t("customers")},
    }
    ctx["charts"]["revenue_target"] = ctx["dashboard"].pop("chart")
    return ctx


# --------------------------------------------------------------------------
# booklet: dashboard and the headlines (SPEC §6 Booklet, §4 Headlines)

# Which of an account's risks leads its story and its next steps: high before
# medium, then what costs money or the relationship soonest.
RISK_PRIORITY = ("REVENUE_DROP", "OPEN_COMPLAINT", "CONTRACT_EXPIRING", "LOW_SATISFACTION",
                 "RELATIONSHIP_DECLINING", "CREDIT_OVERDUE", "NO_ACCOUNT_MANAGER", "CONTACT_OVERDUE",
                 "NO_ACTION_PLAN", "ACTION_OVERDUE", "CONCENTRATION")
DASHBOARD_ROWS = 8            # revenue-at-risk and decision rows on the one-page dashboard
DASHBOARD_MOVERS = 4          # of the ≤ 5 movers each way (summary.json has all; the page must stay one)


def risk_order(r) -> tuple:
    """Sort key of a risk: severity, then RISK_PRIORITY, then code."""
    return (SEVERITY_RANK.get(r.severity, 9),
            RISK_PRIORITY.index(r.code) if r.code in RISK_PRIORITY else len(RISK_PRIORITY), r.code)


def _high_key(result: Result) -> int:
    """Key accounts with at least one high risk (the figure the booklet calls "high risk")."""
    return sum(1 for a in result.accounts if a.tier == "key" and any(r.severity == "high" for r in a.risks))


def _by_id(result: Result) -> dict[str, Account]:
    return _index(result, lambda r: {x.customer_id: x for x in reversed(r.accounts)})


def _named(result: Result, ids) -> list[dict[str, Any]]:
    """The accounts a headline names: their name and (key accounts: the
    booklet has their section) the anchor to link to."""
    accs = _by_id(result)
    out = []
    for cid in ids:
        a = accs.get(cid)
        if a is not None:
            out.append({"customer_id": cid, "name": a.name,
                        "anchor": account_anchor(cid) if a.tier == "key" else None})
    return out


def risk_message(r, result: Result, lang: str) -> str:
    """A risk's message in `lang`, worded from the engine's facts."""
    return sentences.risk_message(r.code, r.params, lang, result.settings.currency)


def risk_action(r, result: Result, lang: str) -> str:
    """A risk's recommended next step in `lang` (SPEC §4 "Next step per risk")."""
    return sentences.next_step(r.code, r.params, lang, result.settings.currency)


def headlines_context(result: Result, lang: str) -> list[dict[str, Any]]:
    """The computed headlines (result.headlines, most important first), each
    with the accounts it names."""
    return [{"code": h.code, "message": sentences.headline(h.code, h.params, lang, result.settings.currency),
             "figure": h.figure, "unit": h.unit,
             "accounts": _named(result, h.customers)} for h in result.headlines]


def _targeted_revenue(result: Result, dataset: Dataset) -> tuple[list[float], int] | None:
    """Per window of portfolio.revenue_by_quarter, the revenue of the
    customers that have a target in any of the 8 windows (their targets are
    every target of the portfolio): so bars and target line count the same
    customers. None when no customer has one."""
    quarters = result.portfolio.revenue_by_quarter
    if not quarters or all(q.target is None for q in quarters):
        return None
    last = result.period.q[-1]
    first_m = last.year * 12 + last.month - 1 - (3 * len(quarters) - 1)
    ids = {t.customer_id for t in getattr(dataset, "targets", ())
           if first_m <= t.month.year * 12 + t.month.month - 1}
    accs = [a for a in result.accounts if a.customer_id in ids]
    n = len(quarters)
    rev = [0.0] * n
    for a in accs:
        rq = a.revenue_by_quarter[-n:]
        for i, q in enumerate(rq):
            rev[n - len(rq) + i] += q.revenue
    return rev, len(accs)


def dashboard_context(result: Result, dataset: Dataset, t, lang: str) -> dict[str, Any]:
    """The booklet's one-page dashboard: headlines, revenue against target,
    movers, revenue at risk with owner and next step, renewals, decisions."""
    pf = result.portfolio
    accs = _by_id(result)
    key = [a for a in result.accounts if a.tier == "key"]
    at_risk = sorted((a for a in key if any(r.severity == "high" for r in a.risks)),
                     key=lambda a: (-a.revenue_ttm, a.customer_id))

    def lead(a: Account):
        return sorted(a.risks, key=risk_order)[0]

    risk_rows = []
    for a in at_risk:
        r = lead(a)
        highs = sorted((x for x in a.risks if x.severity == "high"), key=risk_order)
        risk_rows.append({"customer_id": a.customer_id, "name": a.name, "anchor": account_anchor(a.customer_id),
                          "revenue_ttm": a.revenue_ttm, "owner": a.account_manager,
                          "risk": t("risk." + r.code), "message": risk_message(r, result, lang),
                          "action": risk_action(r, result, lang),
                          "high": len(highs),
                          "no_plan": any(x.code == "NO_ACTION_PLAN" for x in a.risks)})
    renewals = []
    for a in sorted((a for a in result.accounts if any(r.code == "CONTRACT_EXPIRING" for r in a.risks)),
                    key=lambda a: (a.contract_end or date.max, a.customer_id)):
        r = next(r for r in a.risks if r.code == "CONTRACT_EXPIRING")
        renewals.append({"customer_id": a.customer_id, "name": a.name,
                         "anchor": account_anchor(a.customer_id) if a.tier == "key" else None,
                         "tier_label": t("tier." + a.tier), "contract_end": a.contract_end,
                         "days": (a.contract_end - result.period.as_of).days if a.contract_end else None,
                         "revenue_ttm": a.revenue_ttm, "owner": a.account_manager, "action": risk_action(r, result, lang),
                         "severity": r.severity})
    decisions = []
    for a in sorted((a for a in key if any(r.code == "NO_ACTION_PLAN" for r in a.risks)),
                    key=lambda a: (-a.revenue_ttm, a.customer_id)):
        highs = sorted((x for x in a.risks if x.severity == "high"), key=risk_order)
        sep = t("list.sep")
        decisions.append({"customer_id": a.customer_id, "name": a.name, "anchor": account_anchor(a.customer_id),
                          "revenue_ttm": a.revenue_ttm, "owner": a.account_manager,
                          "risks": sep.join(t("risk." + x.code) for x in highs),
                          "action": next(risk_action(r, result, lang) for r in a.risks
                                         if r.code == "NO_ACTION_PLAN")})

    def movers(ms):
        out = []
        for m in ms:
            a = accs.get(m.customer_id)
            if a is None:
                continue
            out.append({"customer_id": a.customer_id, "name": a.name,
                        "anchor": account_anchor(a.customer_id) if a.tier == "key" else None,
                        "tier_label": t("tier." + a.tier), "change": m.change, "revenue_q": a.revenue_q,
                        "growth_qoq": a.growth_qoq})
        return out

    targeted = _targeted_revenue(result, dataset)
    quarters = pf.revenue_by_quarter
    chart = None
    if quarters:
        chart = {"kind": "revenue_target", "lang": lang, "brand": brand_color(result.settings.brand_color),
                 "labels": [q.label for q in quarters],
                 "revenue": targeted[0] if targeted else [q.revenue for q in quarters],
                 "target": [q.target for q in quarters] if targeted else [None] * len(quarters),
                 "names": [t("revenue"), t("target")]}
    n_high_key = len(at_risk)
    return {
        "headlines": headlines_context(result, lang),
        "kpis": {"revenue_q": pf.revenue_q, "growth_qoq": pf.growth_qoq, "growth_yoy": pf.growth_yoy,
                 "target_q": pf.target_q, "attainment_q": pf.attainment_q,
                 "revenue_at_risk": pf.revenue_at_risk,
                 "risk_share": pf.revenue_at_risk / pf.revenue_ttm if pf.revenue_ttm > 0 else None,
                 "high_key": n_high_key, "key": len(key), "decisions": len(decisions),
                 "renewals": len(renewals), "nps": pf.nps},
        "chart_note": (t("dash_chart_targeted", n=fmt.num(targeted[1])) if targeted
                       else t("dash_chart_no_target")),
        "movers_up": movers(pf.movers_up[:DASHBOARD_MOVERS]),
        "movers_down": movers(pf.movers_down[:DASHBOARD_MOVERS]),
        "at_risk": risk_rows[:DASHBOARD_ROWS],
        "at_risk_more": max(len(risk_rows) - DASHBOARD_ROWS, 0),
        "renewals": renewals[:DASHBOARD_ROWS // 2],
        "renewals_more": max(len(renewals) - DASHBOARD_ROWS // 2, 0),
        "decisions": decisions[:DASHBOARD_ROWS],
        "decisions_more": max(len(decisions) - DASHBOARD_ROWS, 0),
        "chart": chart,
        "high_risk_def": t("high_risk_def", drop2=fmt.pct(2 * result.settings.revenue_drop, 0)),
        "renewals_note": t("renewals_note", days=fmt.num(result.settings.contract_days)),
    }


def summary_points(result: Result, t, lang: str) -> list[dict[str, Any]]:
    """The executive summary's opening: each headline as an action title with
    the accounts behind it (name, owner, next step), most important first."""
    accs = _by_id(result)
    money_s = fmt.make_money_short(result.settings.currency or "CNY", lang)
    out = []
    for h in headlines_context(result, lang):
        rows = []
        for n in h["accounts"][:3]:
            a = accs[n["customer_id"]]
            risks = sorted(a.risks, key=risk_order)
            if h["code"] == "RENEWALS_DUE":
                r = next((x for x in risks if x.code == "CONTRACT_EXPIRING"), None)
            elif h["code"] == "NO_ACTION_PLAN":
                r = next((x for x in risks if x.code == "NO_ACTION_PLAN"), None)
            else:
                r = risks[0] if risks else None
            rows.append(dict(n, owner=a.account_manager, revenue_ttm=money_s(a.revenue_ttm),
                             tier_label=t("tier." + a.tier), risk=t("risk." + r.code) if r else None,
                             action=risk_action(r, result, lang) if r else None))
        out.append(dict(h, rows=rows, more=max(len(h["accounts"]) - 3, 0)))
    return out


def _without_lead(message: str, zh: bool) -> str:
    """A risk message without its own short lead ("销售额下降：…", "Revenue
    fell: …"): the story already names the risk ("首要风险为销售下滑：…")."""
    lead, sep, rest = message.partition("：" if zh else ": ")
    return rest if sep and rest and len(lead) <= (8 if zh else 24) and not any(c.isdigit() for c in lead) else message


def account_story(a: Account, result: Result, t, lang: str) -> str:
    """The account's quarter in one line (SPEC §6 Account plan), by the rules
    of the headlines: revenue against the previous quarter and the target,
    a move in or out of the key tier, the first risk and whether a high
    risk has no plan."""
    zh = lang == "zh"
    money_s = fmt.make_money_short(result.settings.currency or "CNY", lang)
    month = result.period.kind == "month"
    parts = []
    rev = t("story_revenue", revenue=money_s(a.revenue_q))
    if a.growth_qoq is not None:
        change = a.revenue_q - a.revenue_pq
        rev += t("story_vs_prev_m" if month else "story_vs_prev", growth=fmt.growth(a.growth_qoq),
                 change=("+" if change > 0 else "") + money_s(change))
    if a.attainment_q is not None:
        rev += t("story_target", pct=fmt.pct(a.attainment_q, 0), target=money_s(a.target_q))
    parts.append(rev)
    if a.tier_prev == "key" and a.tier != "key":
        parts.append(t("story_lost", tier=t("tier." + a.tier)))
    elif a.tier == "key" and a.tier_prev != "key":
        parts.append(t("story_won", tier=t("tier." + a.tier_prev)))
    risks = sorted(a.risks, key=risk_order)
    if risks:
        r = risks[0]
        parts.append(t("story_risk", risk=t("risk." + r.code), message=_without_lead(risk_message(r, result, lang), zh)))
        if any(x.code == "NO_ACTION_PLAN" for x in risks):
            parts.append(t("story_no_plan"))
    else:
        parts.append(t("story_no_risk"))
    return t("semicolon").join(parts) + t("full_stop")


def next_steps(a: Account, plans: list[dict], t, result: Result) -> list[dict[str, Any]]:
    """Risk → action → owner → date: every risk's next step (high first,
    owner the account manager), then the plan's open actions (overdue
    first) with their owner and due date."""
    out = []
    for r in sorted(a.risks, key=risk_order):
        out.append({"kind": "risk", "severity": r.severity, "severity_label": t("severity." + r.severity),
                    "what": t("risk." + r.code), "action": risk_action(r, result, t.lang), "owner": a.account_manager,
                    "due": None, "overdue": False, "flag": r.code == "NO_ACTION_PLAN"})
    for p in plans:
        if p["status"] != "open":
            continue
        out.append({"kind": "plan", "severity": None, "severity_label": None,
                    "what": p["objective"], "action": p["action"], "owner": p["owner"],
                    "due": p["due"], "overdue": p["overdue"], "flag": False})
    return out


def kpi_targets(a: Account, t) -> dict[str, Any]:
    """The plan's first-page KPIs with their target (where one exists) and
    the 4-period trend from `history` (oldest first)."""
    hist = list(reversed(a.history))
    trend_rev = [{"period": h.period, "value": h.revenue_q} for h in hist]
    trend_health = [{"period": h.period, "value": h.health, "band": h.health_band,
                     "band_label": t("band." + h.health_band) if h.health_band else None} for h in hist]
    trend_tier = [{"period": h.period, "label": t("tier." + h.tier)} for h in hist]
    return {"revenue": trend_rev, "health": trend_health, "tier": trend_tier,
            "periods": [h.period for h in hist]}


TOUCHES_PDF = 8               # the plan PDF's recent activity: the latest touches (the HTML lists all)
NEXT_STEPS_PDF = 8            # open actions among the first page's next steps in the PDF


def strategy_line(text: str) -> str:
    """A tier's strategy as one line: its first clause (up to ；/ ;)."""
    for sep in ("；", "; ", "。", ". "):
        i = text.find(sep)
        if 0 < i:
            return text[:i] + ("" if sep.strip() in "。." else "…")
    return text


def _first_page(ctx: dict[str, Any], a: Account, result: Result, t, lang: str) -> None:
    """What the plan's first page carries (SPEC §6): the quarter in one line,
    KPIs against target with the 4-period trend, the next steps; and what
    the PDF keeps short (touches only, ≤ TOUCHES_PDF rows; the strategy's first clause)."""
    from ..inputs.schema import TOUCH_TYPES
    ctx["story"] = account_story(a, result, t, lang)
    ctx["trend"] = kpi_targets(a, t)
    ctx["next_steps"] = steps = next_steps(a, ctx["plans"], t, result)
    # The first page shows the risks and the most urgent open actions; an
    # account with hundreds of actions must not make it a hundred pages
    # (it made the PDF layout run for minutes).
    plan_steps = sorted((x for x in steps if x["kind"] == "plan"),
                        key=lambda x: (not x["overdue"], x["due"] is None, x["due"] or date.max))
    shown = _for_pdf(plan_steps, NEXT_STEPS_PDF, t, "more_plans_pdf", ("what", "action", "owner"))
    ctx["next_plan_steps_pdf"] = shown["rows"]          # long cells shortened too (a 24,000-character action)
    ctx["next_steps_more"] = shown["note"]
    ctx["no_plan"] = any(r.code == "NO_ACTION_PLAN" for r in a.risks)
    acct = ctx["account"]
    acct["target_q"], acct["attainment_q"] = a.target_q, a.attainment_q
    acct["health_coverage"] = a.health_coverage
    acct["strategy_line"] = strategy_line(sentences.strategy(a.tier, lang))
    touches = [x for x in ctx["activities"] if x["type"] in TOUCH_TYPES]
    ctx["in_pdf"]["activities"] = _for_pdf(touches, TOUCHES_PDF, t, "more_touches_pdf",
                                           ("owner", "contact", "summary"), total=ctx["activities_total"])


def tier_strategies(lang: str, t) -> list[dict[str, str]]:
    """Each tier's strategy text in full (the plans' PDFs print its first clause)."""
    return [{"tier": k, "label": t("tier." + k), "text": sentences.strategy(k, lang)} for k in TIER_ORDER]


def data_gaps(result: Result, t) -> list[dict[str, Any]]:
    """Key fields left blank (the data-quality page must not read "no
    problems" when they are): customers without a relationship stage, key
    and ordinary customers without an account manager or a survey in the
    last 12 months. Only the gaps that occur, with their share."""
    accs = list(result.accounts)
    served = [a for a in accs if a.tier in ("key", "ordinary")]
    rows = [("gap_stage", sum(1 for a in accs if not a.relationship_stage), len(accs)),
            ("gap_manager", sum(1 for a in served if not a.account_manager), len(served)),
            ("gap_survey", sum(1 for a in served if a.latest_satisfaction is None), len(served))]
    return [{"key": k, "label": t(k), "count": n, "share": n / of if of else None}
            for k, n, of in rows if n]


# Booklet sections with their anchors (the ids in booklet_front.html and
# booklet_appendix.html), in reading order: the pipeline finds their pages
# by these ids to print the contents. (anchor, label key, piece)
FRONT_SECTIONS = (("dashboard", "dashboard"), ("summary", "executive_summary"), ("pyramid", "pyramid_and_time"),
                  ("matrix", "portfolio_matrix"), ("abc", "abc_pareto"),
                  ("migrations", "tier_migrations"), ("risks", "risk_register"),
                  ("scorecards", "staff_scorecards"), ("care", "care_calendar"))
APPENDIX_SECTIONS = (("methodology", "methodology"), ("data-quality", "data_quality"),
                     ("policy", "policy"))


def booklet_sections(lang: str, policy: bool = False) -> dict[str, list[dict[str, str]]]:
    """Titles and anchors of the booklet's sections, for the contents.

    {"front": [{"anchor", "title"}...], "appendix": [...]}; the policy entry
    only when a --policy file is given (the template prints it only then).
    """
    t = labels.translator(lang)
    return {
        "front": [{"anchor": a, "title": t(k)} for a, k in FRONT_SECTIONS],
        "appendix": [{"anchor": a, "title": t(k)} for a, k in APPENDIX_SECTIONS if policy or a != "policy"],
    }


# --------------------------------------------------------------------------
# booklet: appendix

def _setting_value(name: str, value: Any, t) -> str:
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if name == "fx":
        return ", ".join(f"fx_{code} {fmt.num(rate)}" for code, rate in value) if value else "—"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "—"
    if name == "abc_basis":
        return t("basis." + value) if value in ("gross_profit", "revenue") else str(value)
    if name == "logo":
        # Only the file name: the methodology page must not print local paths.
        return value.replace("\\", "/").rsplit("/", 1)[-1] if value else "—"
    if name in ("abc_a_cut", "abc_b_cut", "revenue_drop", "concentration"):
        return fmt.pct(value, 0)
    if value is None or value == "":
        return "—"
    return str(value)


def booklet_appendix_context(result: Result, dataset: Dataset, policy_md: str | None) -> dict[str, Any]:
    """Methodology with the settings in force, data quality and the policy."""
    ctx, t = _base(result)
    s = result.settings
    basis = s.abc_basis if (s.abc_basis == "revenue" or dataset.has_gross_profit) else "revenue"
    ctx["title"] = t("appendix")
    ctx["settings_rows"] = [{"key": f.name, "label": t("setting." + f.name),
                             "value": _setting_value(f.name, getattr(s, f.name), t)}
                            for f in fields(Settings) if f.name not in ("mail_to",)]
    ctx["method"] = [
        {"title": t("method_tiers"), "text": t("method_tiers_text", high_potential=fmt.num(s.high_potential))},
        {"title": t("method_score"), "text": t("method_score_text", w_value=fmt.pct(s.weight_value, 0),
                                                w_potential=fmt.pct(s.weight_potential, 0),
                                                w_strategic=fmt.pct(s.weight_strategic, 0),
                                                high=fmt.num(s.attractive_high), medium=fmt.num(s.attractive_medium))},
        {"title": t("method_abc"), "text": t("method_abc_text", basis=t("basis." + basis),
                                              a_cut=fmt.pct(s.abc_a_cut, 0), b_cut=fmt.pct(s.abc_b_cut, 0))},
        {"title": t("method_health"), "text": t("method_health_text")},
    ]
    ctx["strategies"] = tier_strategies(ctx["lang"], t)
    ctx["gaps"] = data_gaps(result, t)
    ctx["inputs"] = [{"path": i.path.replace("\\", "/").rsplit("/", 1)[-1], "sha256": i.sha256}
                     for i in dataset.inputs]
    order = ("Customers", "Sales", "Activities", "Contacts", "Surveys", "Plans", "Competitors", "Settings")
    ctx["rows"] = [{"sheet": k, "label": t("sheet." + k), "read": c.read, "accepted": c.accepted,
                    "rejected": c.rejected, "skipped": c.skipped}
                   for k, c in sorted(dataset.rows.items(),
                                      key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0]))]
    counts = {sev: sum(1 for p in dataset.problems if p.severity == sev)
              for sev in ("fatal", "error", "warning", "info")}
    ctx["problem_counts"] = [{"severity": k, "label": t("severity." + k), "count": v} for k, v in counts.items()]
    sev_rank = {"fatal": 0, "error": 1, "warning": 2, "info": 3}
    # Most severe first, then in workbook order, so the page leads with what
    # blocks rows; the full list is in problems.csv.
    probs = sorted(dataset.problems, key=lambda p: sev_rank.get(p.severity, 9))[:FIRST_PROBLEMS]
    ctx["problems"] = [{"severity": p.severity, "severity_label": t("severity." + p.severity),
                        "location": p.location().replace("\\", "/").rsplit("/", 1)[-1],
                        "header": p.header, "value": p.value, "message": p.message} for p in probs]
    ctx["problems_total"] = len(dataset.problems)
    ctx["problems_shown"] = len(probs)
    ctx["policy_md"] = policy_md
    return ctx


# --------------------------------------------------------------------------
# worker side

def finish(context: dict[str, Any]) -> dict[str, Any]:
    """Draw the charts of a context (in the render worker) into context["svg"].

    SVG ids are prefixed with the account's anchor too: booklet.html joins
    every account page into one document, where ids must stay unique.
    """
    from . import charts
    out = dict(context)
    prefix = context.get("anchor") or ""
    out["svg"] = {name: None if data is None else
                  charts.draw(name, data, id_prefix=f"{prefix}-{name}" if prefix else name)
                  for name, data in (context.get("charts") or {}).items()}
    return out
