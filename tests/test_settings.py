"""SPEC §5: defaults, the Settings sheet, command-line overrides, warnings."""
import pytest

from kamreport.errors import KamError
from kamreport.model import Loc
from kamreport.engine.settings import Settings, build_settings


def rows(*kv, file="book.xlsx"):
    # Settings rows as the reader hands them over: (key, value, Loc), data from row 2
    return tuple((k, v, Loc(file, "Settings", i + 2)) for i, (k, v) in enumerate(kv))


def test_defaults_and_language_from_headers():
    s, problems = build_settings((), default_language="zh")
    assert problems == []
    assert s == Settings(language="zh")
    assert (s.abc_a_cut, s.abc_b_cut, s.cadence_key, s.revenue_drop, s.currency) == (0.70, 0.90, 30, 0.20, "CNY")


def test_sheet_values_are_parsed():
    s, problems = build_settings(rows(
        ("company", " ACME 有限公司 "), ("Cadence Key", "45"), ("abc_a_cut", "65%"),
        ("abc_b_cut", "0.85"), ("revenue_drop", "25%"), ("currency", "usd"),
        ("mail_to", "a@x.com; b@y.org"), ("brand_color", "#ABC"), ("语言", "英文"),
        ("abc_basis", "销售额"), ("satisfaction_floor", "7.5"), ("complaint_days", "0")), "zh")
    assert problems == []
    assert s.company == "ACME 有限公司"
    assert s.cadence_key == 45
    assert s.abc_a_cut == 0.65 and s.abc_b_cut == 0.85 and s.revenue_drop == 0.25
    assert s.currency == "USD" and s.mail_to == ("a@x.com", "b@y.org") and s.brand_color == "#abc"
    assert s.language == "en" and s.abc_basis == "revenue"
    assert s.satisfaction_floor == 7.5 and s.complaint_days == 0


def test_unknown_key_warns_with_did_you_mean_and_location():
    s, problems = build_settings(rows(("cadnce_ordinary", "60")), "en")
    assert s.cadence_ordinary == 90
    [p] = problems
    assert (p.severity, p.file, p.sheet, p.row, p.value) == ("warning", "book.xlsx", "Settings", 2, "cadnce_ordinary")
    assert "did you mean 'cadence_ordinary'" in p.message


def test_unknown_key_without_close_match_lists_known_keys():
    _, [p] = build_settings(rows(("colour of the sky", "blue")), "en")
    assert "known settings" in p.message and "brand_color" in p.message


@pytest.mark.parametrize("key,value", [
    ("abc_a_cut", "70"),            # a bare number > 1 is not a percent
    ("abc_a_cut", "0"),
    ("revenue_drop", "abc"),
    ("cadence_key", "30.5"),
    ("cadence_key", "0"),
    ("attractive_high", "120"),
    ("satisfaction_floor", "11"),
    ("weight_value", "-1"),
    ("language", "fr"),
    ("abc_basis", "margin"),
    ("currency", "yuan"),
    ("brand_color", "blue"),
    ("mail_to", "not-an-address"),
    ("mail_subject", "Hi\r\nBcc: evil@x.com"),
    ("logo", "missing.png"),
])
def test_bad_value_warns_and_default_stands(key, value):
    s, [p] = build_settings(rows((key, value)), "en")
    assert getattr(s, key) == getattr(Settings(), key)
    assert p.severity == "warning" and p.row == 2 and p.value == value
    assert f"setting {key}" in p.message and "expected" in p.message


def test_bad_value_message_in_chinese():
    _, [p] = build_settings(rows(("cadence_key", "abc")), "zh")
    assert "无效" in p.message and "默认值 30" in p.message


def test_blank_value_is_not_set():
    s, problems = build_settings(rows(("company", ""), ("cadence_key", "  ")), "en")
    assert problems == [] and s.company == "" and s.cadence_key == 30


def test_later_row_wins_and_is_reported():
    s, [p] = build_settings(rows(("cadence_key", "20"), ("cadence_key", "40")), "en")
    assert s.cadence_key == 40
    assert p.row == 3 and "given twice" in p.message


def test_overrides_beat_the_sheet():
    s, problems = build_settings(rows(("language", "zh"), ("cadence_key", "20")), "zh",
                                 {"language": "en", "cadence_key": "15", "company": None})
    assert problems == [] and s.language == "en" and s.cadence_key == 15


def test_bad_override_is_an_error():
    with pytest.raises(KamError, match="--language"):
        build_settings((), "en", {"language": "fr"})
    with pytest.raises(KamError, match="unknown setting"):
        build_settings((), "en", {"nope": "1"})


def test_warning_language_follows_the_language_in_force():
    # the sheet says en, the headers were Chinese: the warning is in English
    _, [p] = build_settings(rows(("language", "en"), ("bogus", "1")), "zh")
    assert "unknown setting" in p.message


def test_inconsistent_cuts_fall_back_to_both_defaults():
    s, [p] = build_settings(rows(("abc_a_cut", "0.9"), ("abc_b_cut", "0.8")), "en")
    assert (s.abc_a_cut, s.abc_b_cut) == (0.70, 0.90)
    assert p.row == 3 and "abc_a_cut must be below abc_b_cut" in p.message


def test_all_zero_weights_fall_back():
    s, [p] = build_settings(rows(("weight_value", "0"), ("weight_potential", "0"), ("weight_strategic", "0")), "en")
    assert (s.weight_value, s.weight_potential, s.weight_strategic) == (0.5, 0.3, 0.2)


def test_logo_resolved_relative_to_the_workbook(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.png").write_bytes(b"\x89PNG")
    book = str(tmp_path / "book.xlsx")
    s, problems = build_settings(rows(("logo", "img/logo.png"), file=book), "en")
    assert problems == [] and s.logo == str(tmp_path / "img" / "logo.png")


@pytest.mark.parametrize("value, ok", [
    ("ops@example.com", True), ("a@b.example.cn; c.d@e.com", True),
    ("王芳@公司.cn", False),          # send could not put it into the SMTP envelope
    ("a@b.c", False), ("a@@b.com", False), ("Ops <ops@example.com>", False)])
def test_mail_to_is_checked_as_send_and_staff_check_an_address(value, ok):
    """One e-mail rule (inputs.values.is_email) for the Settings mail_to, the
    Staff sheet and what send takes into the envelope: an address send would
    refuse is a warning at its Settings cell, not a failure at send time."""
    from kamreport.engine.settings import parse_value
    from kamreport.engine.settings import BadSetting
    if ok:
        assert parse_value("mail_to", value)
    else:
        with pytest.raises(BadSetting):
            parse_value("mail_to", value)
