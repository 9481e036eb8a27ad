"""Render stage: template contexts -> HTML (Jinja) -> PDF pieces (WeasyPrint).

Runs in worker processes: `init_worker(spec)` once per process, then
`run_job(job)` per document. A job carries a picklable context made by
`views.py` in the parent; `views.finish` draws its charts here, right before
rendering, so matplotlib is imported once per worker, not in the parent.
"""
from __future__ import annotations

import importlib.resources
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from . import pdf as pdfmod
from .errors import KamError
from .sanitize import markdown_to_html


# --------------------------------------------------------------------------
# Templates


def packaged_dir() -> Path:
    """Folder of the packaged templates (a real folder: the package is not zipped)."""
    return Path(str(importlib.resources.files("kamreport.templates")))


class _PackagedLoader(jinja2.BaseLoader):
    """Packaged templates through importlib.resources (works for any install)."""

    def get_source(self, environment, template):
        if "\\" in template or any(part in ("", ".", "..") for part in template.split("/")):
            raise jinja2.TemplateNotFound(template)
        res = importlib.resources.files("kamreport.templates")
        for part in template.split("/"):
            res = res / part
        if not res.is_file():
            raise jinja2.TemplateNotFound(template)
        source = res.read_text(encoding="utf-8")
        return source, None, lambda: True


def make_env(lang: str, currency: str, templates_dir: str | Path | None = None) -> jinja2.Environment:
    """The Jinja environment of SPEC §7 `--templates`.

    A template in `templates_dir` overrides the packaged one of the same
    name; `default:NAME` always reaches the packaged one, so a user template
    can `{% extends "default:account.html" %}` and replace a single block.
    """
    from . import fmt, labels

    packaged = _PackagedLoader()
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders += [jinja2.PrefixLoader({"default": packaged}, delimiter=":"), packaged]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.filters(lang, currency))
    env.filters["md"] = markdown_to_html
    env.globals["t"] = labels.translator(lang)
    env.globals["lang"] = lang
    return env


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template; a broken (user) template is a KamError naming it."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as e:
        raise KamError(f"template {e.filename or e.name or name}, line {e.lineno}: {e.message}") from None
    except jinja2.TemplateNotFound as e:
        raise KamError(f"template {e.name} not found (packaged templates or --templates folder)") from None
    except jinja2.UndefinedError as e:
        raise KamError(f"template {name}: {e.message}") from None


# --------------------------------------------------------------------------
# Jobs


@dataclass(frozen=True)
class RenderSpec:
    """What every worker needs, sent once per process."""
    lang: str
    currency: str
    templates_dir: str | None
    when: datetime                 # the PDFs' one timestamp
    company: str
    title: str                     # report title in force
    period: str                    # "2026Q3"


@dataclass(frozen=True)
class Job:
    kind: str                      # index | account | front | appendix | frame
    key: str                       # unique per build: "account:C001", "front"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    html_path: str | None = None   # write the mode-"html" rendering here
    want_html: bool = False        # return the mode-"html" rendering (booklet.html)
    want_piece: bool = False       # lay out the mode-"pdf" rendering
    pdf_path: str | None = None    # write the piece with its own frame here
    section: str = ""              # running-header text of a standalone PDF
    anchor: str | None = None      # anchor injected at the top of the piece


@dataclass(frozen=True)
class JobResult:
    key: str
    html: str | None
    piece: pdfmod.Piece | None
    warnings: tuple[str, ...]
    subset_fallback: bool


_SPEC: RenderSpec | None = None
_ENV: jinja2.Environment | None = None
_FETCHER = None


def init_worker(spec: RenderSpec) -> None:
    """Per-process set-up: environment, fetcher, deterministic fontTools dates."""
    global _SPEC, _ENV, _FETCHER
    _SPEC = spec
    _ENV = make_env(spec.lang, spec.currency, spec.templates_dir)
    _FETCHER = None
    pdfmod.ensure_source_date_epoch(spec.when)


def _fetcher():
    global _FETCHER
    if _FETCHER is None:
        _FETCHER = pdfmod.make_fetcher(
            packaged_dir(), Path(_SPEC.templates_dir) if _SPEC.templates_dir else None)
    return _FETCHER


_BODY = re.compile(r"<body\b[^>]*>", re.I)


def inject_anchor(html: str, anchor: str) -> str:
    """Put an empty anchor at the top of the body, so links can target the piece."""
    tag = f'<a id="{anchor}"></a>'
    m = _BODY.search(html)
    return html[:m.end()] + tag + html[m.end():] if m else tag + html


def _finish(context: dict[str, Any]) -> dict[str, Any]:
    from . import views
    done = views.finish(context)
    return done if isinstance(done, dict) else context


def render_frame(pages: int, start: int, total: int, section: str, skip_first: bool) -> bytes:
    """Frame pages `start`..`start+pages-1` of `total`: running header and page numbers."""
    spec = _SPEC
    ctx = {
        "lang": spec.lang, "company": spec.company, "title": spec.title, "period": spec.period,
        "section": section, "total": total,
        "pages": [{"number": start + i, "blank": skip_first and start + i == 1} for i in range(pages)],
    }
    html = render_template(_ENV, "frame.html", ctx)
    base = packaged_dir().as_uri() + "/"
    return pdfmod.layout_and_write(html, base, _fetcher(), when=spec.when,
                                   key=f"frame:{section}:{start}:{total}").pdf


def run_job(job: Job) -> JobResult:
    """Render one document: HTML file and/or PDF piece (+ its standalone PDF)."""
    assert _SPEC is not None, "init_worker() first"
    with pdfmod.capture_warnings() as captured:
        html_out, piece = None, None
        if job.kind == "frame":
            c = job.context
            data = render_frame(c["pages"], c["start"], c["total"], c.get("section", ""), c.get("skip_first", False))
            piece = pdfmod.Piece(data, c["pages"], {}, (), ())
        else:
            ctx = _finish(dict(job.context))
            if job.html_path or job.want_html:
                html_out = render_template(_ENV, job.template, dict(ctx, mode="html"))
                if job.html_path:
                    pdfmod.write_atomic(Path(job.html_path), html_out.encode("utf-8"))
            if job.want_piece:
                html = render_template(_ENV, job.template, dict(ctx, mode="pdf"))
                if job.anchor and f'id="{job.anchor}"' not in html:
                    html = inject_anchor(html, job.anchor)
                base = packaged_dir().as_uri() + "/"
                piece = pdfmod.layout_and_write(html, base, _fetcher(), when=_SPEC.when, key=job.key)
                if job.pdf_path:
                    frame = render_frame(piece.pages, 1, piece.pages, job.section, skip_first=False)
                    meta = pdfmod.Meta(title=job.section, author=_SPEC.company, subject=_SPEC.title,
                                       language=_SPEC.lang, when=_SPEC.when, key=job.key)
                    pdfmod.write_atomic(Path(job.pdf_path), pdfmod.stamp_piece(piece, frame, meta))
        return JobResult(job.key, html_out if job.want_html else None, piece,
                         tuple(captured.warnings), captured.subset_fallback)


def default_jobs() -> int:
    """Worker processes: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
