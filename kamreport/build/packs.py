"""Manager packs (SPEC §6 "Manager packs", `build --packs managers`).

One PDF per account manager with key or ordinary customers,
OUT/<period>/managers/<slug>.pdf: a small front (their scorecard, their
risks with next steps, their open actions, their accounts) laid out once,
followed by their key accounts' plans. The plans are not laid out again:
the pack is assembled (pdf/booklet.assemble) from the pieces the build already
laid out for the booklet, as the booklet itself is, with one frame
document per pack for the running header and "page X of N".

`plan` (in prepare, beside the other contexts) decides who gets a pack,
its file and its context; `front_job` / `frame_job` are the two render
jobs of a pack; `write` assembles and writes them. Staff rows (name,
email, team) are matched to account_manager names with values.fold_name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import texts
from ..engine.classify import TIER_RANK
from ..report import labels, views
from ..inputs import values
from ..report.sanitize import strip_bidi, unique_slugs

TEMPLATE = "manager_pack.html"
PDF_ACTIONS = 12                 # open actions listed in the pack's front (all are in the plans)
PDF_RISKS = 40                   # risk rows in the front; a manager with more is told where the rest are


@dataclass(frozen=True)
class Pack:
    manager: str                       # account_manager as written in Customers
    file: str                          # "managers/<slug>.pdf", relative to the period folder
    email: str | None                  # from the Staff row; None: not mailed
    team: str | None
    staffed: bool                      # a Staff row names this manager
    accounts: tuple[str, ...]          # key accounts whose plans follow, booklet order

    @property
    def key(self) -> str:
        return "pack:" + self.file


def _slugs(managers: list[tuple[str, str]]) -> dict[str, str]:
    """(manager, source) -> unique slug (SPEC §6 rule, `-2` on collision,
    case-insensitive). A Chinese name has no ASCII letter to keep (王芳
    would be `__`): its Staff email's local part names the file instead."""
    return unique_slugs([m for m, _ in managers], [s for _, s in managers], blank="manager")


def plan(result, dataset, plan_ids: set[str]) -> list[Pack]:
    """The packs of this build: one per account manager of a key or ordinary
    customer (result.managers), in name order. `plan_ids`: the customers
    whose account plan PDF this build lays out."""
    staff = {}
    for s in dataset.staff:
        staff.setdefault(values.fold_name(s.name), s)
    cards = [m for m in result.managers if m.account_manager and (m.key or m.ordinary)]
    sources = []
    for m in cards:
        row = staff.get(values.fold_name(m.account_manager))
        ascii_name = any(c.isascii() and c.isalnum() for c in m.account_manager)
        local = row.email.partition("@")[0] if row is not None and row.email else ""
        sources.append((m.account_manager, m.account_manager if ascii_name or not local else local))
    slugs = _slugs(sources)
    packs = []
    for m in cards:
        row = staff.get(values.fold_name(m.account_manager))
        accounts = tuple(a.customer_id for a in result.accounts
                         if a.account_manager == m.account_manager and a.tier == "key" and a.customer_id in plan_ids)
        packs.append(Pack(manager=m.account_manager, file=f"managers/{slugs[m.account_manager]}.pdf",
                          email=row.email if row is not None else None,
                          team=row.team if row is not None else None,
                          staffed=row is not None, accounts=accounts))
    return packs


def context(result, dataset, pack: Pack, base: dict[str, Any]) -> dict[str, Any]:
    """The pack front's template context. `base`: views._base's context
    (language, settings, period), shared with the other documents."""
    lang = base["lang"]
    t = labels.translator(lang)
    as_of: date = result.period.as_of
    card = next(m for m in result.managers if m.account_manager == pack.manager)
    mine = [a for a in result.accounts if a.account_manager == pack.manager and a.tier in ("key", "ordinary")]
    mine.sort(key=lambda a: (TIER_RANK[a.tier], a.customer_id))
    risks = []
    for a in mine:
        for r in a.risks:
            if a.tier == "ordinary" and r.severity != "high":
                continue
            risks.append({"customer_id": a.customer_id, "name": a.name, "tier": a.tier,
                          "tier_label": t("tier." + a.tier), "code": r.code, "label": t("risk." + r.code),
                          "severity": r.severity, "severity_label": t("severity." + r.severity),
                          "message": views.risk_message(r, result, lang),
                          "action": views.risk_action(r, result, lang)})
    risks.sort(key=lambda r: (views.SEVERITY_RANK.get(r["severity"], 9), TIER_RANK[r["tier"]], r["customer_id"], r["code"]))
    names = {a.customer_id: a.name for a in mine}
    actions = []
    for p in dataset.plans:
        if p.customer_id in names and p.status == "open":
            actions.append({"customer_id": p.customer_id, "name": names[p.customer_id],
                            "objective": p.objective, "action": p.action, "owner": p.owner, "due": p.due,
                            "overdue": p.due is not None and p.due < as_of})
    actions.sort(key=lambda x: (not x["overdue"], x["due"] is None, x["due"] or date.max, x["customer_id"]))
    ctx = dict(base)
    ctx.update({
        "title": f"{t('pack.title')} · {pack.manager}",
        "manager": {"name": pack.manager, "team": pack.team, "email": pack.email, "staffed": pack.staffed},
        "card": {"key": card.key, "ordinary": card.ordinary, "revenue_q": card.revenue_q,
                 "growth_qoq": card.growth_qoq, "satisfaction": card.satisfaction,
                 "cadence_compliance": card.cadence_compliance, "overdue_actions": card.overdue_actions,
                 "high_risks": card.high_risks, "target_q": card.target_q, "attainment_q": card.attainment_q},
        "risks": risks[:PDF_RISKS],
        "risks_more": t("pack.more_risks", n=len(risks) - PDF_RISKS) if len(risks) > PDF_RISKS else "",
        "actions": actions[:PDF_ACTIONS],
        "actions_more": t("pack.more_actions", n=len(actions) - PDF_ACTIONS) if len(actions) > PDF_ACTIONS else "",
        "accounts": [{"customer_id": a.customer_id, "name": a.name, "tier": a.tier,
                      "tier_label": t("tier." + a.tier), "revenue_q": a.revenue_q, "growth_qoq": a.growth_qoq,
                      "health": a.health, "health_band": a.health_band,
                      "health_band_label": t("band." + a.health_band) if a.health_band else None,
                      "risks": len(a.risks), "plan": a.customer_id in pack.accounts} for a in mine],
        "plans": len(pack.accounts),
    })
    return ctx


def summary_entries(packs: list[Pack]) -> list[dict[str, Any]]:
    """summary.json "packs": what `send --per-manager` mails to whom."""
    return [{"account_manager": p.manager, "file": p.file, "email": p.email, "team": p.team,
             "staff": p.staffed, "accounts": list(p.accounts)} for p in packs]


def index_entries(packs: list[Pack]) -> list[dict[str, Any]]:
    return [{"name": p.manager, "team": p.team, "pdf": p.file, "plans": len(p.accounts)} for p in packs]


# --------------------------------------------------------------------------
# In the build (pipeline._render_all)

def warnings(packs: list[Pack], lang: str) -> list[str]:
    """One line per manager without a Staff row: the pack is built, not mailed."""
    return [texts.text("pack.no_staff_row", lang, file=p.file, manager=p.manager) for p in packs if not p.staffed]


def front_job(job, pack: Pack, ctx: dict[str, Any], spool: str | None):
    """The pack's front (scorecard, risks, actions, accounts) as a PDF piece."""
    return job("pack", pack.key, TEMPLATE, ctx, want_piece=True, spool=spool)


def frame_job(job, pack: Pack, front_pages: int, plan_pages: list[tuple[str, int]], period: str):
    """Running header and "page X of N" for every page of the pack. The
    plans draw their own name top right (as in the booklet); the front's
    pages name the manager."""
    right = strip_bidi(f"{pack.manager} · {period}")
    rights = [right] * front_pages + [None] * sum(n for _, n in plan_pages)
    total = len(rights)
    pages = [{"number": i + 1, "total": total, "right": r, "blank": False} for i, r in enumerate(rights)]
    return job("frame", "frame:" + pack.key, "frame.html", {"pages": pages})


def assemble(pack: Pack, front, plans: list, frame, spec) -> bytes:
    """The pack's bytes: front + plans, the frame over every page, one font
    subset per font (as the booklet). Deterministic: keyed by the pack's file."""
    from ..pdf import booklet as booklet_pdf
    from ..pdf.pieces import Meta
    meta = Meta(title=f"{labels.label('pack.title', spec.lang)} · {strip_bidi(pack.manager)}",
                       author=spec.company, subject=spec.period, language=spec.lang, when=spec.when,
                       key=f"pack:{spec.period}:{pack.file}")
    outline = [(labels.label("pack.title", spec.lang), 0)]
    page = front.pages
    for name, piece in plans:
        outline.append((strip_bidi(name), page))
        page += piece.pages
    return booklet_pdf.assemble([front] + [p for _, p in plans], [frame.parts], meta,
                           outline=outline, share_fonts=True)


def frames(runner, job, packs: tuple[Pack, ...], fronts: dict[str, Any], plans: dict[str, Any], spec,
           report) -> dict[str, Any]:
    """Lay out every pack's frame (its page count is known once its front
    and plans are): before the render pool closes. `fronts`: Pack.key -> its
    front's piece; `plans`: customer_id -> account plan piece. Returns
    Pack.key -> frame piece."""
    if not packs:
        return {}
    for line in warnings(list(packs), spec.lang):
        report.warn(line)
    futs = {}
    for p in packs:
        plan_pages = [(cid, plans[cid].pages) for cid in p.accounts]
        futs[p.key] = runner.submit(frame_job(job, p, fronts[p.key].pages, plan_pages, spec.period))
    out = {}
    for key, fut in futs.items():
        res = fut.result()
        report.take(res)
        out[key] = res.piece
    return out


def write(out, packs: tuple[Pack, ...], fronts: dict[str, Any], plans: dict[str, Any], frames_: dict[str, Any],
          result, spec, report) -> None:
    """Assemble and write each pack (atomically, inside the build folder)."""
    import time

    from ..atomic import write_atomic
    t0 = time.process_time()
    names = {a.customer_id: a.name for a in result.accounts}
    for p in packs:
        data = assemble(p, fronts[p.key], [(names[cid], plans[cid]) for cid in p.accounts], frames_[p.key], spec)
        write_atomic(out / p.file, data)
        report.log(texts.Text("cli.wrote", path=p.file))
    report.times["packs_assemble"] = time.process_time() - t0
