"""Labels: both languages complete, every template label defined."""
import re
import string
from pathlib import Path

from kamreport.report import labels
from kamreport.inputs import schema

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Literal keys in templates: t("key") or t('key', n=…).
T_CALL = re.compile(r"""\bt\(\s*["']([^"']+)["']""")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_label_has_both_languages_and_the_same_placeholders():
    for key, (zh, en) in labels.LABELS.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key
        # A zh label that is plain ASCII (other than PDF / NPS-like codes)
        # would be an untranslated copy of the English one.
        if zh == en:
            assert key in {"pdf"}, f"{key}: zh label is the English text"


def test_zh_labels_are_chinese():
    latin_ok = {"pdf", "nps", "abc_class", "html"}
    punctuation = {"colon", "semicolon", "paren_open", "paren_close",       # full width: ：；（）
                   "comma", "full_stop", "reasons_sep"}                     # ，。、
    for key, (zh, _en) in labels.LABELS.items():
        if key in latin_ok or key in punctuation:
            continue
        assert CJK.search(zh), f"{key}: {zh!r} has no Chinese"


def test_every_label_used_in_the_templates_exists():
    used = set()
    for path in TEMPLATES.glob("*.html"):
        if path.name == "frame.html":       # the pipeline's, not labelled by t()
            continue
        used |= set(T_CALL.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 100, "the scan should find the templates' labels"
    missing = sorted(k for k in used if k not in labels.LABELS)
    assert not missing, missing


def test_enum_values_are_labelled_in_both_languages():
    t_zh, t_en = labels.translator("zh"), labels.translator("en")
    for prefix, enum in (("rel_stage", schema.RELATIONSHIP_STAGE), ("rel_type", schema.RELATIONSHIP_TYPE),
                         ("activity", schema.ACTIVITY_TYPE), ("role", schema.CONTACT_ROLE),
                         ("attitude", schema.ATTITUDE), ("plan_status", schema.PLAN_STATUS)):
        for key, zh in enum.options:
            assert t_zh(f"{prefix}.{key}") == zh          # same words as the input format
            assert t_en(f"{prefix}.{key}") != f"{prefix}.{key}"
    assert t_zh("tier.key") == "重点客户" and t_zh("tier.ordinary") == "普通客户"
    assert t_zh("tier.prospect") == "潜在客户" and t_zh("tier.unattractive") == "无吸引力客户"
    spec_risks = ("REVENUE_DROP LOW_SATISFACTION CONTACT_OVERDUE OPEN_COMPLAINT CONTRACT_EXPIRING "
                  "ACTION_OVERDUE CONCENTRATION RELATIONSHIP_DECLINING NO_ACCOUNT_MANAGER CREDIT_OVERDUE").split()
    for prefix, keys in (("risk", spec_risks),
                         ("reason", ["designated", "agreement", "top_contributor", "high_potential"]),
                         ("component", ["growth", "satisfaction", "engagement", "service", "execution"]),
                         ("band", ["green", "amber", "red"]), ("severity", ["high", "medium"]),
                         ("move", ["up", "down", "same"]), ("attract", ["high", "medium", "low"])):
        for k in keys:
            assert f"{prefix}.{k}" in labels.LABELS, f"{prefix}.{k}"


def test_every_setting_is_labelled():
    from dataclasses import fields

    from kamreport.engine.settings import Settings
    for f in fields(Settings):
        assert f"setting.{f.name}" in labels.LABELS, f.name


def test_translator_fills_placeholders_and_shows_unknown_keys():
    t = labels.translator("en")
    assert t("hl_moves", up=2, down=1) == "Tier moves this period: 2 up, 1 down."
    assert labels.translator("zh")("hl_moves", up=2, down=1) == "本期升级客户2家，降级客户1家。"
    assert t("no.such.key") == "no.such.key"
    assert labels.translator("fr")("tier.key") == "Key account"   # anything but zh is English
