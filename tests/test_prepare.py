"""The build's first stage (prepare.py), in this process and in a child process.

The child must hand back exactly what the in-process stage makes, and fail
the same way: a KamError stays a KamError with its message, a crash names
itself, and a child that dies (killed, out of memory) is a clear error,
never a hang.
"""
from __future__ import annotations

import os
import signal

import pytest

from kamreport.build import prepare
from kamreport.errors import KamError
from kamreport.sample.workbooks import write_workbook

FORMATS = frozenset({"html", "pdf", "json"})


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("prepare") / "sample.xlsx"
    write_workbook(str(path), lang="en", customers=12, seed=3)
    return str(path)


def _args(book, **kw):
    return dict(dict(period=None, lang=None, formats=FORMATS, accounts="key", policy_md=None), **kw)


def test_child_hands_back_what_the_stage_makes_here(book):
    here = prepare.prepare([book], **_args(book))
    there = prepare.start_in_child([book], **_args(book))()
    assert here.fatal == () and there.fatal == ()
    # Everything but the CPU timings is equal.
    fields = lambda p: (p.result, p.chosen, p.files, p.outputs, p.contexts, p.summary,  # noqa: E731
                        p.problems, p.rejected)
    assert fields(here) == fields(there)
    assert here.contexts and here.summary["portfolio"]["customers"] == 12
    assert set(there.times) == {"read", "compute", "views"}


def test_contexts_cover_every_document(book):
    p = prepare.prepare([book], **_args(book, accounts="all"))
    assert len(p.chosen) == len(p.result.accounts) == 12
    assert {"front", "appendix", "index"} | {"account:" + c for c in p.chosen} == set(p.contexts)
    assert p.contexts["front"]["toc"] == []          # set per layout pass by the build
    # Every output the summary lists is one the build writes.
    assert p.summary["outputs"] == list(p.outputs)
    assert "booklet.pdf" in p.outputs and "problems.csv" in p.outputs


def test_json_only_makes_no_contexts(book):
    p = prepare.prepare([book], **_args(book, formats=frozenset({"json"})))
    assert p.contexts == {} and p.files == {}
    assert p.outputs == ("summary.json", "problems.csv")


def test_child_keeps_kamerror_and_its_message(book):
    wait = prepare.start_in_child([book], **_args(book, period="2026Q9"))
    with pytest.raises(KamError) as here:
        prepare.prepare([book], **_args(book, period="2026Q9"))
    with pytest.raises(KamError) as there:
        wait()
    assert str(there.value) == str(here.value) and "2026Q9" in str(there.value)


def test_fatal_workbook_comes_back_as_problems(tmp_path):
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_text("this is text, not a workbook")
    p = prepare.start_in_child([str(bad)], **_args(str(bad)))()
    assert p.fatal and p.result is None
    assert all(x.severity == "fatal" for x in p.fatal)
    assert str(bad) in p.fatal[0].location()


def test_crash_in_child_is_reported_with_its_traceback(book, monkeypatch):
    def boom(*a, **k):
        raise ZeroDivisionError("deliberate")
    monkeypatch.setattr(prepare, "prepare", boom)      # the forked child inherits the patch
    with pytest.raises(RuntimeError, match="ZeroDivisionError: deliberate"):
        prepare.start_in_child([book], **_args(book))()


def test_killed_child_is_an_error_not_a_hang(book, monkeypatch):
    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    monkeypatch.setattr(prepare, "prepare", die)
    with pytest.raises(KamError, match=r"reading process ended with code -9"):
        prepare.start_in_child([book], **_args(book))()
