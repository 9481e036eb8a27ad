"""results.xlsx (SPEC §6 "Results workbook", `--format xlsx`).

`write_results(summary, problems, path, lang)` writes summary.json's
results as a workbook for people who continue in Excel: sheets Accounts
(every customer with its summary fields), Risks (one row per risk with its
next step), Managers, Care, Movers and Problems — these sheet names in
either language, so that a query or macro works on both. Headers and enum values
are in the report language (the codes stay beside them where one filters
on them: risk code, severity); each sheet has a frozen header row and a
filter; money, percentages and dates carry number formats; the health band
is a coloured cell; an account with a PDF plan links to it
(`accounts/<slug>.pdf`, relative to the workbook).

Text from the workbooks is written as text, never as a formula (a customer
named "=HYPERLINK(…)" stays a name). The bytes depend on the inputs only:
fixed workbook properties (as_of) and fixed zip timestamps
(`deterministic_zip`, also used by deck.py).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import Any, Iterable

from ..inputs.xlsx import col_letter
from ..report import labels
from ..report.views import COMPONENTS
from ..report.colours import brand_color, office_hex
from ..atomic import write_atomic
from ..report.sanitize import strip_bidi

MONEY = "#,##0.00"
PCT = "0.0%"
DATE = "yyyy-mm-dd"
SCORE = "0.0"
INT = "0"
MAX_CELL = 32_767               # Excel's limit on a cell's text
BAND_FILL = {"green": "C8E6C9", "amber": "FFE0B2", "red": "FFCDD2", "insufficient": "E0E0E0"}
BAND_FONT = {"green": "1B5E20", "amber": "8A4B00", "red": "B71C1C", "insufficient": "424242"}
PILLARS = ("value", "potential", "strategic")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def as_of_datetime(summary: dict) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(summary.get("as_of") or ""), datetime.min.time())
    except ValueError:
        return datetime(2000, 1, 1)


def deterministic_zip(data: bytes, when: datetime, inner: Iterable[str] = ()) -> bytes:
    """The zip package `data` rewritten with fixed member timestamps, the
    core properties' created/modified set to `when`, and the members named
    in `inner` (zips themselves: a chart's embedded workbook) treated the
    same way. Member order and content are otherwise kept."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    inner = set(inner)
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), blob)
            elif info.filename in inner or (inner == {"*"} and info.filename.endswith(".xlsx")):
                blob = deterministic_zip(blob, when)
            out = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o644 << 16
            out.create_system = 3
            dst.writestr(out, blob)
    return buf.getvalue()


# --------------------------------------------------------------------------


def _text(v: Any) -> Any:
    if isinstance(v, str):
        v = strip_bidi(_ILLEGAL.sub("", v))        # as in the other reports: no bidi controls
        if len(v) > MAX_CELL:
            v = v[:MAX_CELL - 1] + "…"
    return v


class _Sheet:
    """One sheet: a header row, typed columns, rows appended as values."""

    def __init__(self, wb, title: str, columns: list[tuple[str, str | None]], freeze: str = "A2") -> None:
        from openpyxl.styles import Alignment, Font, PatternFill
        self.ws = wb.create_sheet(title)
        self.formats = [f for _, f in columns]
        self.widths = [_width(h) for h, _ in columns]
        self.ws.append([h for h, _ in columns])
        head_fill = PatternFill("solid", fgColor=self.brand)
        for c in self.ws[1]:
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = head_fill
            c.alignment = Alignment(vertical="center", wrap_text=False)
            c.data_type = "s"
        self.ws.freeze_panes = freeze
        self.rows = 1

    brand = "1F4E79"

    def add(self, values: list[Any]) -> int:
        self.rows += 1
        r = self.rows
        for i, v in enumerate(values, start=1):
            v = _text(v)
            cell = self.ws.cell(row=r, column=i, value=v)
            if isinstance(v, str):
                cell.data_type = "s"       # never a formula, whatever the text starts with
            f = self.formats[i - 1]
            if f and v is not None and not isinstance(v, str):
                cell.number_format = f
            self.widths[i - 1] = max(self.widths[i - 1], _width(v, f))
        return r

    def finish(self) -> None:
        last = col_letter(len(self.formats))
        self.ws.auto_filter.ref = f"A1:{last}{max(self.rows, 1)}"
        self.ws.page_setup.orientation = "landscape"       # printed: every column on the page's width
        self.ws.page_setup.fitToWidth, self.ws.page_setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_title_rows = "1:1"
        for i, w in enumerate(self.widths, start=1):
            self.ws.column_dimensions[col_letter(i)].width = min(60, max(8, w + 2))


def _width(v: Any, f: str | None = None) -> int:
    if v is None:
        return 0
    if isinstance(v, float) and f == MONEY:
        return len(f"{v:,.2f}")
    if isinstance(v, (date, datetime)):
        return 10
    s = str(v)[:80]
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def _num(v: Any) -> Any:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _day(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return date.fromisoformat(v[:10])
        except ValueError:
            return v
    return v


def _tier(t, v: str | None) -> str | None:
    return t("tier." + v) if v else None


def movers(summary: dict) -> list[tuple[str, dict]]:
    """(direction, {customer_id, change}) for the movers up then down:
    summary's portfolio movers_up / movers_down when present, else the same
    rule (SPEC §4 Movers) on the accounts' revenue_q − revenue_pq."""
    pf = summary.get("portfolio") or {}
    if "movers_up" in pf or "movers_down" in pf:
        return ([("up", dict(m)) for m in pf.get("movers_up") or []]
                + [("down", dict(m)) for m in pf.get("movers_down") or []])
    changes = []
    for a in summary.get("accounts") or []:
        q, pq = a.get("revenue_q"), a.get("revenue_pq")
        if q is None and pq is None:
            continue
        changes.append((round((q or 0.0) - (pq or 0.0), 2), a["customer_id"]))
    up = sorted((c for c in changes if c[0] > 0), key=lambda c: (-c[0], c[1]))[:5]
    down = sorted((c for c in changes if c[0] < 0), key=lambda c: (c[0], c[1]))[:5]
    return ([("up", {"customer_id": cid, "change": ch}) for ch, cid in up]
            + [("down", {"customer_id": cid, "change": ch}) for ch, cid in down])


def workbook_bytes(summary: dict, problems: list, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    t = labels.translator(lang)          # the workbook's own words are "xl." keys of the catalog
    when = as_of_datetime(summary)
    _Sheet.brand = office_hex(brand_color((summary.get("settings") or {}).get("brand_color")))
    wb = Workbook()
    wb.remove(wb.active)
    accounts = summary.get("accounts") or []
    by_id = {a["customer_id"]: a for a in accounts}
    has_target = any("target_q" in a for a in accounts)

    # Accounts ------------------------------------------------------------
    cols: list[tuple[str, str | None, Any]] = [
        (t("customer_id"), None, lambda a: a.get("customer_id")),
        (t("customer"), None, lambda a: a.get("name")),
        (t("account_manager"), None, lambda a: a.get("account_manager")),
        (t("tier"), None, lambda a: _tier(t, a.get("tier"))),
        (t("tier_prev"), None, lambda a: _tier(t, a.get("tier_prev"))),
        (t("move"), None, lambda a: t("move." + a["move"]) if a.get("move") else None),
        (t("abc_class"), None, lambda a: a.get("abc_class")),
        (t("score"), SCORE, lambda a: _num(a.get("score"))),
    ]
    for p in PILLARS:
        cols.append((t("xl.score_pillar", pillar=t("pillar." + p)), SCORE,
                     lambda a, p=p: _num((a.get("pillars") or {}).get(p))))
    cols += [
        (t("attractiveness"), None, lambda a: t("attract." + a["attractiveness"]) if a.get("attractiveness") else None),
        (t("relationship_type"), None, lambda a: t("rel_type." + a["relationship_type"]) if a.get("relationship_type") else None),
        (t("relationship_stage"), None, lambda a: t("rel_stage." + a["relationship_stage"]) if a.get("relationship_stage") else None),
        (t("revenue_q"), MONEY, lambda a: _num(a.get("revenue_q"))),
        (t("revenue_pq"), MONEY, lambda a: _num(a.get("revenue_pq"))),
        (t("revenue_yq"), MONEY, lambda a: _num(a.get("revenue_yq"))),
    ]
    if has_target:
        cols += [(t("target_q"), MONEY, lambda a: _num(a.get("target_q"))),
                 (t("attainment_q"), PCT, lambda a: _num(a.get("attainment_q")))]
    cols += [
        (t("revenue_ttm"), MONEY, lambda a: _num(a.get("revenue_ttm"))),
        (t("gross_profit_ttm"), MONEY, lambda a: _num(a.get("gross_profit_ttm"))),
        (t("growth_qoq"), PCT, lambda a: _num(a.get("growth_qoq"))),
        (t("growth_yoy"), PCT, lambda a: _num(a.get("growth_yoy"))),
        (t("share_of_wallet"), PCT, lambda a: _num(a.get("share_of_wallet"))),
        (t("market_size"), MONEY, lambda a: _num(a.get("market_size"))),
        (t("headroom"), MONEY, lambda a: _num(a.get("headroom"))),
        (t("days_since_touch"), INT, lambda a: _num(a.get("days_since_touch"))),
        (t("cadence"), INT, lambda a: _num(a.get("cadence"))),
        (t("touches_q"), INT, lambda a: _num(a.get("touches_q"))),
        (t("minutes_q"), "#,##0", lambda a: _num(a.get("minutes_q"))),
        (t("latest_satisfaction"), SCORE, lambda a: _num(a.get("latest_satisfaction"))),
        (t("health"), SCORE, lambda a: _num(a.get("health"))),
        (t("health_band"), None, lambda a: t("band." + a["health_band"]) if a.get("health_band") else None),
        (t("health_coverage"), PCT, lambda a: _num(a.get("health_coverage"))),
    ]
    for c in COMPONENTS:
        cols.append((t("xl.health_of", c=t("component." + c)), SCORE,
                     lambda a, c=c: _num((a.get("health_components") or {}).get(c))))
    cols += [
        (t("xl.risk_count"), INT, lambda a: len(a.get("risks") or [])),
        (t("high_risks"), INT, lambda a: sum(1 for r in a.get("risks") or [] if r.get("severity") == "high")),
        (t("overdue_actions"), INT, lambda a: _num(a.get("overdue_actions"))),
        (t("open_complaints"), INT, lambda a: _num(a.get("open_complaints"))),
        (t("key_reasons"), None, lambda a: t("reasons_sep").join(
            t("reason." + k) for k in a.get("key_reasons") or []) or None),
        (t("xl.plan_pdf"), None, lambda a: (a.get("files") or {}).get("pdf")),
    ]
    sh = _Sheet(wb, "Accounts", [(h, f) for h, f, _ in cols], freeze="C2")
    band_col = [h for h, _, _ in cols].index(t("health_band")) + 1
    link_col = len(cols)
    fills = {k: PatternFill("solid", fgColor=v) for k, v in BAND_FILL.items()}
    fonts = {k: Font(color=v, bold=True) for k, v in BAND_FONT.items()}
    for a in accounts:
        r = sh.add([get(a) for _, _, get in cols])
        band = a.get("health_band")
        if band in fills:
            cell = sh.ws.cell(row=r, column=band_col)
            cell.fill, cell.font = fills[band], fonts[band]
        pdf = (a.get("files") or {}).get("pdf")
        if pdf:
            cell = sh.ws.cell(row=r, column=link_col)
            cell.hyperlink = pdf
            cell.style = "Hyperlink"
    sh.finish()

    # Risks ---------------------------------------------------------------
    sh = _Sheet(wb, "Risks", [
        (t("customer_id"), None), (t("customer"), None), (t("tier"), None), (t("account_manager"), None),
        (t("xl.risk_code"), None), (t("risk"), None), (t("xl.severity_code"), None), (t("severity"), None),
        (t("message"), None), (t("next_step"), None)], freeze="C2")
    sev_fill = {"high": PatternFill("solid", fgColor=BAND_FILL["red"]),
                "medium": PatternFill("solid", fgColor=BAND_FILL["amber"])}
    for a in accounts:
        for risk in a.get("risks") or []:
            sev = risk.get("severity")
            r = sh.add([a.get("customer_id"), a.get("name"), _tier(t, a.get("tier")), a.get("account_manager"),
                        risk.get("code"), t("risk." + risk["code"]) if risk.get("code") else None,
                        sev, t("severity." + sev) if sev else None, risk.get("message"), risk.get("action")])
            if sev in sev_fill:
                sh.ws.cell(row=r, column=8).fill = sev_fill[sev]
    sh.finish()

    # Managers --------------------------------------------------------------
    managers = summary.get("managers") or []
    m_target = any("target_q" in m for m in managers)
    mcols = [(t("account_manager"), None, "account_manager"), (t("tier.key"), INT, "key"),
             (t("tier.ordinary"), INT, "ordinary"), (t("revenue_q"), MONEY, "revenue_q")]
    if m_target:
        mcols += [(t("target_q"), MONEY, "target_q"), (t("attainment_q"), PCT, "attainment_q")]
    mcols += [(t("growth_qoq"), PCT, "growth_qoq"), (t("satisfaction"), SCORE, "satisfaction"),
              (t("cadence_compliance"), PCT, "cadence_compliance"), (t("overdue_actions"), INT, "overdue_actions"),
              (t("high_risks"), INT, "high_risks")]
    sh = _Sheet(wb, "Managers", [(h, f) for h, f, _ in mcols])
    for m in managers:
        sh.add([(m.get(k) or t("unassigned")) if k == "account_manager" else m.get(k) for _, _, k in mcols])
    sh.finish()

    # Care ------------------------------------------------------------------
    sh = _Sheet(wb, "Care", [(t("customer_id"), None), (t("customer"), None), (t("kind"), None),
                                      (t("date"), DATE), (t("who"), None), (t("in_days"), INT)])
    for c in summary.get("care") or []:
        sh.add([c.get("customer_id"), c.get("name"), t("care." + c["kind"]) if c.get("kind") else None,
                _day(c.get("date")), c.get("who"), c.get("days")])
    sh.finish()

    # Movers ----------------------------------------------------------------
    sh = _Sheet(wb, "Movers", [
        (t("xl.direction"), None), (t("customer_id"), None), (t("customer"), None), (t("tier"), None),
        (t("account_manager"), None), (t("xl.revenue_change"), MONEY), (t("revenue_q"), MONEY), (t("revenue_pq"), MONEY)])
    for way, m in movers(summary):
        a = by_id.get(m.get("customer_id"), {})
        sh.add([t("xl.mover." + way), m.get("customer_id"), a.get("name"), _tier(t, a.get("tier")),
                a.get("account_manager"), _num(m.get("change")), _num(a.get("revenue_q")), _num(a.get("revenue_pq"))])
    sh.finish()

    # Problems --------------------------------------------------------------
    sh = _Sheet(wb, "Problems", [
        (t("severity"), None), (t("file"), None), (t("sheet"), None), (t("row"), INT), (t("column"), None),
        (t("header"), None), (t("value"), None), (t("message"), None)])
    for p in problems:
        g = (lambda k: p.get(k)) if isinstance(p, dict) else (lambda k: getattr(p, k, None))
        sh.add([g("severity"), g("file"), g("sheet"), g("row"), g("column"), g("header"),
                None if g("value") in (None, "") else str(g("value")), g("message")])
    sh.finish()

    props = wb.properties
    settings = summary.get("settings") or {}
    props.creator = settings.get("company") or "kamreport"
    props.lastModifiedBy = props.creator
    props.title = f'{settings.get("report_title") or t("default_report_title")} · {summary.get("period", "")}'
    props.subject = summary.get("period")
    props.language = "zh-CN" if lang == "zh" else "en"
    props.created = props.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic_zip(buf.getvalue(), when)


def write_results(summary: dict, problems: list, path, lang: str) -> None:
    """results.xlsx at `path`, atomically (SPEC §6)."""
    write_atomic(path, workbook_bytes(summary, problems, lang))
