"""The build's first stage: workbooks -> everything the render stage needs.

`prepare` reads the workbooks, computes the results and makes, up front,
every template context (views.py), summary.json's content and the problem
list. Its product (`Prepared`) is small: ~2 MB pickled for 800 customers
and 273,550 activity rows, whose Dataset takes ~350 MB in memory.

`start_in_child` runs it in a forked process that exits when done, so the
Dataset's memory is given back whole. Freed in the build process instead,
half of it stayed (fragmented heap: 376 -> 194 MB RSS measured), and the
build process lives on beside the render workers, whose sum is the build's
peak memory.
"""
from __future__ import annotations

import multiprocessing
import pickle
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import KamError
from ..model import FATAL, Problem
from ..engine.results import Result
from ..report.sanitize import unique_slugs


@dataclass(frozen=True)
class Prepared:
    """What a build makes of its workbooks, without the workbooks."""
    fatal: tuple[Problem, ...]                 # when not empty, nothing else is set
    result: Result | None = None
    chosen: tuple[str, ...] = ()               # customer ids of the account plans, report order
    files: dict[str, dict[str, str]] = field(default_factory=dict)   # id -> {"html": "accounts/x.html", ...}
    outputs: tuple[str, ...] = ()              # files the build writes, for summary.json
    contexts: dict[str, dict[str, Any]] = field(default_factory=dict)  # "index", "appendix", "front", "account:<id>"
    summary: dict[str, Any] | None = None      # summary.json's content
    problems: tuple[Problem, ...] = ()         # problems.csv's rows
    rejected: int = 0                          # rows rejected in all sheets
    times: dict[str, float] = field(default_factory=dict)   # CPU seconds: read, compute, views
    packs: tuple[Any, ...] = ()                # packs.Pack of `--packs managers`, name order
    language: str | None = None                # the report's: the build's messages are in it


def prepare(workbooks: list[str], *, period: str | None, lang: str | None, formats: frozenset[str],
            accounts: str, policy_md: str | None, map_file: str | None = None,
            packs: str | None = None) -> Prepared:
    """Read, compute and make every context of one build (SPEC §1–§6)."""
    from ..engine import core as engine
    from ..outputs import summary
    from ..report import views
    from ..inputs.read import read_workbooks

    times: dict[str, float] = {}
    t0 = time.process_time()
    dataset = read_workbooks(list(workbooks), lang=lang, map_file=map_file)
    times["read"] = time.process_time() - t0
    if dataset.fatal:
        return Prepared(fatal=tuple(p for p in dataset.problems if p.severity == FATAL), times=times,
                        language=lang or dataset.language)
    t0 = time.process_time()
    result = engine.compute(dataset, period=period, overrides={"language": lang} if lang else None)
    times["compute"] = time.process_time() - t0

    t0 = time.process_time()
    chosen = [a for a in result.accounts if accounts == "all" or a.tier == "key"]
    slugs = unique_slugs([a.customer_id for a in chosen])
    rendered = formats & {"html", "pdf"}
    files: dict[str, dict[str, str]] = {}
    if rendered:
        for a in chosen:
            files[a.customer_id] = {k: f"accounts/{slugs[a.customer_id]}.{k}" for k in ("html", "pdf")
                                    if k in formats}
    outputs: list[str] = []
    if "html" in formats:
        outputs += ["index.html", "booklet.html"]
    if "pdf" in formats:
        outputs += ["booklet.pdf"]
    for f in files.values():
        outputs += list(f.values())
    pack_list = []
    if packs == "managers" and "pdf" in formats:     # SPEC §6 Manager packs
        from . import packs as packmod
        pack_list = packmod.plan(result, dataset, set(files))
        outputs += [p.file for p in pack_list]
    if "json" in formats:
        outputs += ["summary.json"]
    if "pptx" in formats:
        outputs += ["booklet.pptx"]
    if "xlsx" in formats:
        outputs += ["results.xlsx"]
    outputs += ["problems.csv"]

    contexts: dict[str, dict[str, Any]] = {}
    if rendered:
        # The contents entries (toc) are set per layout pass, by the build.
        contexts["front"] = views.booklet_front_context(result, dataset, [])
        contexts["appendix"] = views.booklet_appendix_context(result, dataset, policy_md)
        if "html" in formats:
            contexts["index"] = views.index_context(result, dataset, files)
        for a in chosen:
            contexts["account:" + a.customer_id] = views.account_context(result, dataset, a.customer_id)
    if pack_list:
        base, _ = views._base(result)
        for p in pack_list:
            contexts[p.key] = packmod.context(result, dataset, p, base)
        if "index" in contexts:
            contexts["index"]["packs"] = packmod.index_entries(pack_list)
    times["views"] = time.process_time() - t0
    summary_json = summary.summary_dict(result, dataset, outputs, files) \
        if formats & {"json", "pptx", "xlsx"} else None
    if summary_json is not None and packs:
        summary_json["packs"] = packmod.summary_entries(pack_list) if pack_list else []
    return Prepared(
        fatal=(), result=result, chosen=tuple(a.customer_id for a in chosen), files=files,
        outputs=tuple(outputs), contexts=contexts,
        # the deck and the results workbook are made from summary.json's content
        summary=summary_json, packs=tuple(pack_list),
        problems=tuple(summary.all_problems(result, dataset)),
        rejected=sum(c.rejected for c in dataset.rows.values()), times=times,
        language=result.settings.language)


def _child(conn, args: tuple, kwargs: dict, parent: int, lifeline) -> None:
    from .jobs import die_with_parent
    die_with_parent(parent, lifeline)      # a killed build takes its reading process along
    try:
        reply = ("ok", prepare(*args, **kwargs))
    except KamError as e:
        reply = ("kam", e)         # key, parameters and language (KamError.__reduce__)
    except BaseException:   # noqa: BLE001 - reported by the parent
        reply = ("crash", traceback.format_exc())
    try:
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        conn.close()


def start_in_child(*args, lifeline: tuple[int, int] | None = None, **kwargs) -> Callable[[], Prepared]:
    """Start `prepare` in a forked child process; the returned function
    waits for its `Prepared` (or raises its error, as `prepare` would).

    Call it before this process starts threads (the render pool does).
    `lifeline`: see render.die_with_parent.
    """
    import os
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, args, kwargs, os.getpid(), lifeline),
                       name="kamreport-read", daemon=True)
    proc.start()
    send.close()

    def wait() -> Prepared:
        try:
            data = recv.recv_bytes()        # before join: a large reply would fill the pipe
        except EOFError:
            proc.join()
            raise KamError("build.reader_died", code=proc.exitcode) from None
        except BaseException:               # Ctrl-C, SIGTERM: the reading stops with the build
            proc.kill()
            proc.join()
            raise
        finally:
            recv.close()
        proc.join()
        kind, value = pickle.loads(data)
        if kind == "kam":
            raise value
        if kind == "crash":
            raise RuntimeError("reading the workbooks failed in the reading process:\n" + value)
        return value
    return wait
