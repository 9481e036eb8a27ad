"""The message catalog (kamreport.texts, issue 15): every key in both
languages with the same parameters, the sentences worded from the
engine's codes read as the reports have always printed them, and every
error of the package a catalog text (an AST scan), worded in the language
known where it is printed."""
from __future__ import annotations

import ast
import pickle
import string
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

import kamreport
from kamreport.errors import KamError, in_language
from kamreport.texts import TEXTS, Text, locale_lang, text
from kamreport.texts import sentences

# Entries whose Chinese leaves a parameter out on purpose, and why.
ONE_SIDED = {
    "list.more": "zh says the count before the names, so the list just ends in 等",
    "validate.totals": "{es} and {ws} are English plural endings",
}


def _params(form: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(form) if name}


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_key_has_zh_and_en_with_the_same_params(key):
    zh, en = TEXTS[key]
    assert isinstance(zh, str) and zh.strip(), key
    assert all(f.strip() for f in _forms(en)), key
    assert len(_forms(en)) in (1, 2)
    en_params = set().union(*map(_params, _forms(en)))
    if key in ONE_SIDED:
        assert _params(zh) < en_params
    else:
        assert _params(zh) == en_params, key


def test_a_count_picks_the_english_form_and_groups_thousands():
    assert text("risk_message.ACTION_OVERDUE", "en", n=1) == "1 action overdue"
    assert text("risk_message.ACTION_OVERDUE", "en", n=1204) == "1,204 actions overdue"
    assert text("risk_message.ACTION_OVERDUE", "zh", n=1204) == "1204 项行动已逾期"


def test_sentences_quote_exact_figures_money_and_dates_through_fmt():
    p = {"growth_qoq": Fraction(-1235, 10000), "growth_yoy": None, "drop": Fraction(1, 5)}
    # exactly -12.35 % rounds half-up to -12.4 % (a float would give -12.3 %)
    assert sentences.risk_message("REVENUE_DROP", p, "en", "CNY") == \
        "Revenue fell: growth QoQ -12.4%, YoY — (alert at -20.0%)"
    p = {"owed": 123456, "revenue_ttm": 2_500_000}
    assert sentences.risk_message("CREDIT_OVERDUE", p, "zh", "CNY") == "逾期应收款 ¥12.3万（近12个月销售额 ¥250.0万）"
    assert sentences.next_step("CREDIT_OVERDUE", p, "en", "USD") == "Agree a payment plan for the $123.5K overdue"
    p = {"first": date(2026, 8, 21), "others": 2}
    assert sentences.next_step("OPEN_COMPLAINT", p, "zh", "CNY") == "结清2026年8月21日的投诉及其余 2 项未结投诉"
    assert sentences.next_step("OPEN_COMPLAINT", {"first": date(2026, 8, 21), "others": 1}, "en", "CNY") == \
        "Close the complaint of 2026-08-21 and the 1 other open one"


def test_health_bases_and_strategies():
    assert sentences.health_basis("engagement", {"days": 1, "cadence": 30}, "en") == \
        "1 day since the last touch, cadence 30 days"
    assert sentences.health_basis("engagement", {"days": None, "cadence": None}, "zh") == "无接触记录，无联系周期"
    assert sentences.health_basis("service", {"complaints": 1, "resolved": 0}, "en") == "0 of 1 complaint resolved (TTM)"
    assert sentences.health_basis("growth", {"basis": "yoy", "growth": None}, "en") == "growth: none"
    for tier in ("key", "ordinary", "prospect", "unattractive"):
        assert sentences.strategy(tier, "zh") and sentences.strategy(tier, "en")


# ---------------------------------------------------------------- messages: every one from the catalog

PACKAGE = Path(kamreport.__file__).parent
RAISED = {"KamError", "GroundError", "UsageError", "BadParameter", "ClickException"}
# Calls whose argument at (index) is a catalog key.
KEYED = {"KamError": 0, "_scrubbed": 1}      # (a Text checks its key when made)


def _name(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)


def _keys_ok(node: ast.expr) -> bool:
    """A catalog key: a literal key, either of two (a if b else c), a literal
    prefix of keys ("send.step." + step), or a Text's own key (t.key)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in TEXTS
    if isinstance(node, ast.IfExp):
        return _keys_ok(node.body) and _keys_ok(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return any(k.startswith(node.left.value) for k in TEXTS)
    if isinstance(node, ast.Name):       # a key passed on by a keyed helper (_scrubbed), checked at its call
        return node.id == "key"
    return isinstance(node, ast.Attribute) and node.attr == "key"


def _worded(node: ast.expr) -> bool:
    """A message made by the catalog: a call (text(...), e.worded(...)), never
    a literal or an f-string."""
    if isinstance(node, ast.IfExp):
        return _worded(node.body) and _worded(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_worded(e) for e in node.elts)
    return isinstance(node, ast.Call)


def message_calls():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in RAISED | set(KEYED):
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", _name(node), node


def test_every_error_is_a_catalog_text_not_an_english_f_string():
    bad = []
    seen = 0
    for where, name, call in message_calls():
        if name in KEYED:
            i = KEYED[name]
            if len(call.args) <= i or not _keys_ok(call.args[i]):
                bad.append(f"{where}: {name}(...) without a catalog key")
            elif name == "KamError" and len(call.args) > 1:
                bad.append(f"{where}: KamError takes one key and its parameters by name")
            seen += name == "KamError"
        elif name == "GroundError" and call.args and isinstance(call.args[0], ast.Name):
            continue        # check()'s list of problems: each appended as text(...) (ground.py)
        elif not call.args or not _worded(call.args[0]):
            bad.append(f"{where}: {name}(...) with a literal message instead of a catalog text")
    assert not bad, "\n".join(bad)
    assert seen > 60            # the scan does see the package's errors


def test_the_scan_catches_an_english_f_string(tmp_path):
    tree = ast.parse('raise KamError(f"{path} is a file")\nraise click.UsageError("no")\n'
                     'raise KamError("build.out_is_file", path=p)\n')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _name(n) in RAISED]
    assert [_keys_ok(c.args[0]) if _name(c) == "KamError" else _worded(c.args[0]) for c in calls] == \
        [False, False, True]


def test_a_kam_error_is_worded_in_the_language_known_where_it_is_printed():
    e = KamError("build.out_is_file", path="/tmp/x")
    assert e.worded("zh") == "/tmp/x 是文件，不是文件夹：--out 需要一个文件夹"
    assert str(e) == "/tmp/x is a file, not a folder: --out needs a folder"      # the locale's: en
    with pytest.raises(KamError) as raised, in_language("zh"):
        raise e
    assert raised.value is e and str(e).startswith("/tmp/x 是文件") and e.worded("en") == str(e)
    # through a pipe or a process pool: key, parameters, language
    again = pickle.loads(pickle.dumps(e))
    assert (type(again), again.key, str(again)) == (KamError, e.key, str(e))
    # a fragment is worded in the language of its sentence
    e = KamError("build.formats", bad=Text("build.formats_empty"))
    assert e.worded("zh").startswith("--format：（空） 不是") and e.worded("en").startswith("--format: (empty) is")


@pytest.mark.parametrize("env, lang", [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"),
                                       ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
                                       ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "C"}, "zh"), ({}, "en")])
def test_the_locale_language(env, lang):
    assert locale_lang(env) == lang


# Lines still printed in English only, and why (to move once the booklet
# assembly's edits have landed: they sit in its code, build/pipeline.py).
ENGLISH_LINES: dict[str, str] = {}     # literal lines allowed to stay English: none now


def test_the_lines_the_product_prints_are_catalog_texts():
    """click.echo, Report.warn and Report.log print catalog texts; a literal
    or f-string may only join worded parts with punctuation (`{location}:
    {message}`)."""
    import re
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("echo", "warn", "log") and node.args):
                continue
            arg = node.args[0]
            parts = [arg.value] if isinstance(arg, ast.Constant) else \
                [v.value for v in arg.values if isinstance(v, ast.Constant)] if isinstance(arg, ast.JoinedStr) else []
            words = [p for p in parts if isinstance(p, str) and re.search(r"[A-Za-z]{2,}", p)]
            if words and not all(w in ENGLISH_LINES for w in words):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {words}")
    assert not bad, "\n".join(bad)
