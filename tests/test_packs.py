"""build --packs managers (SPEC §6 "Manager packs"): one PDF per account
manager, OUT/<period>/managers/<slug>.pdf — their scorecard, their risks
with next steps, then their key accounts' plans, the same pages as
accounts/<slug>.pdf (the pieces laid out once, assembled again)."""
from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from pypdf import PdfReader

from kamreport.cli import main

from workbooks import write

MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]


def portfolio(lang: str = "en") -> dict[str, list[list]]:
    """Three managers: Li Wei (two key accounts, one ordinary), Wang Fang
    (one key account), Chen Jie (one key account, no Staff row)."""
    zh = lang == "zh"
    names = {"li": "李伟" if zh else "Li Wei", "wang": "王芳" if zh else "Wang Fang", "chen": "陈杰" if zh else "Chen Jie"}
    customers = [
        ["客户编号", "客户名称", "客户经理", "高层指定", "长期协议", "合同到期日"] if zh else
        ["customer_id", "name", "account_manager", "designated_key", "long_term_agreement", "contract_end"],
        ["C1", "华东能源" if zh else "Eastern Energy", names["li"], "是" if zh else "yes", "是" if zh else "yes", "2026-10-20"],
        ["C2", "南方港务" if zh else "Southern Ports", names["li"], "是" if zh else "yes", None, None],
        ["C3", "北方机械" if zh else "Northern Machinery", names["wang"], "是" if zh else "yes", None, None],
        ["C4", "西部物流" if zh else "Western Logistics", names["chen"], "是" if zh else "yes", None, None],
    ] + [[f"C{i}", f"Small {i}", names["li"], None, None, None] for i in range(5, 12)]
    sales = [["客户编号", "月份", "销售额", "毛利"] if zh else ["customer_id", "month", "revenue", "gross_profit"]]
    for i in range(1, 12):
        for k, m in enumerate(MONTHS):
            sales.append([f"C{i}", m, (12 - i) * 10_000 + k * 500 - (3000 if i == 2 and k >= 3 else 0), (12 - i) * 2_000])
    plans = [["客户编号", "目标", "行动", "负责人", "截止日期"] if zh else ["customer_id", "objective", "action", "owner", "due"],
             ["C1", "续约" if zh else "Renew", "安排高层拜访" if zh else "Executive visit", names["li"], "2026-09-01"],
             ["C3", "扩大份额" if zh else "Grow share", "提交方案" if zh else "Send a proposal", names["wang"], "2026-11-15"]]
    staff = [["姓名", "邮箱", "团队"] if zh else ["name", "email", "team"],
             [names["li"], "li.wei@example.com", "East"],
             [names["wang"], None, "North"]]
    return {"Customers" if not zh else "客户": customers, "Sales" if not zh else "销售": sales,
            "Plans" if not zh else "行动计划": plans, "Staff" if not zh else "员工": staff}


def build(tmp_path: Path, lang: str = "en", jobs: int = 2, name: str = "out", extra: tuple = ()) -> tuple[Path, str]:
    book = tmp_path / f"book-{lang}.xlsx"
    if not book.exists():
        write(book, portfolio(lang))
    out = tmp_path / name
    r = CliRunner().invoke(main, ["build", str(book), "--out", str(out), "--jobs", str(jobs),
                                  "--packs", "managers", "--lang", lang, *extra])
    assert r.exit_code == 0, r.output + repr(r.exception)
    return out / "2026Q3", r.output


def texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def pages(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def built_en(tmp_path_factory):
    return build(tmp_path_factory.mktemp("packs-en"))


def test_one_pack_per_manager_front_then_their_plans(built_en):
    period, output = built_en
    summary = json.loads((period / "summary.json").read_text(encoding="utf-8"))
    packs = {p["account_manager"]: p for p in summary["packs"]}
    assert sorted(packs) == ["Chen Jie", "Li Wei", "Wang Fang"]
    assert packs["Li Wei"]["file"] == "managers/Li_Wei.pdf" and packs["Li Wei"]["email"] == "li.wei@example.com"
    assert packs["Wang Fang"]["email"] is None and packs["Chen Jie"]["staff"] is False
    files = {a["customer_id"]: a["files"]["pdf"] for a in summary["accounts"] if a.get("files")}
    names = {a["customer_id"]: a["name"] for a in summary["accounts"]}
    fronts = {}
    for manager, p in packs.items():
        pack = period / p["file"]
        assert p["file"] in summary["outputs"] and pack.is_file()
        plan_pages = [pages(period / files[cid]) for cid in p["accounts"]]
        front = pages(pack) - sum(plan_pages)
        assert 1 <= front <= 2, (manager, front)
        text = texts(pack)
        fronts[manager] = " ".join(" ".join(text[:front]).split())
        assert len(text) == front + sum(plan_pages)
        assert manager in text[0] and "ACCOUNT MANAGER PACK" in text[0].upper() and "Scorecard" in text[0]
        first = front
        for cid, n in zip(p["accounts"], plan_pages):
            # Each plan starts where the ones before it end, with the same text as its own PDF.
            assert names[cid] in text[first] and "ACCOUNT PLAN" in text[first].upper()
            own = texts(period / files[cid])
            assert len(own) == n
            for mine, theirs in zip(text[first:first + n], own):
                # Same words but for the page numbers ("Page 1 of 4" in its own PDF).
                missing = Counter(theirs.split()) - Counter(mine.split())
                assert all(w.isdigit() or w in mine for w in missing), missing  # pdftotext may glue words
            first += n
        assert f"of {pages(pack)}" in text[-1]          # the pack's own page numbers
    for manager, p in packs.items():      # their key accounts, in the booklet's order
        assert p["accounts"] == [a["customer_id"] for a in summary["accounts"]
                                 if a["account_manager"] == manager and a["tier"] == "key"]
    assert packs["Li Wei"]["accounts"][:2] == ["C1", "C2"] and packs["Wang Fang"]["accounts"] == ["C3"]
    li = fronts["Li Wei"]
    assert "Contract expiring" in li and "Start renewal talks" in li      # risk -> next step
    assert "Executive visit" in li and "Overdue" in li                    # open actions, overdue
    ordinary = [a["name"] for a in summary["accounts"] if a["account_manager"] == "Li Wei" and a["tier"] == "ordinary"]
    assert ordinary and all(n in li for n in ordinary)                    # their ordinary customers too


def test_a_manager_without_a_staff_row_is_one_warning(built_en):
    period, output = built_en
    lines = [line for line in output.splitlines() if "Staff sheet" in line]
    assert len(lines) == 1 and "Chen Jie" in lines[0] and lines[0].startswith("warning:")
    assert "wrote managers/Chen_Jie.pdf" in output


def test_index_links_every_pack(built_en):
    period, _ = built_en
    soup = BeautifulSoup((period / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = {a["href"]: a.get_text() for a in soup.find_all("a") if a["href"].startswith("managers/")}
    assert links == {"managers/Chen_Jie.pdf": "Chen Jie", "managers/Li_Wei.pdf": "Li Wei",
                     "managers/Wang_Fang.pdf": "Wang Fang"}
    assert all((period / h).is_file() for h in links)


def test_packs_are_deterministic_serial_and_parallel(built_en, tmp_path):
    period, _ = built_en
    book = period.parent.parent / "book-en.xlsx"
    serial, _ = build(book.parent, jobs=1, name="serial")
    for p in sorted((period / "managers").iterdir()):
        assert (serial / "managers" / p.name).read_bytes() == p.read_bytes(), p.name


def test_chinese_packs_are_named_by_email_and_have_no_missing_glyphs(tmp_path):
    period, output = build(tmp_path, lang="zh")
    summary = json.loads((period / "summary.json").read_text(encoding="utf-8"))
    files = {p["account_manager"]: p["file"] for p in summary["packs"]}
    # 李伟 has an email: its local part names the file; 王芳 and 陈杰 have none.
    assert files == {"李伟": "managers/li.wei.pdf", "王芳": "managers/manager.pdf", "陈杰": "managers/manager-2.pdf"}
    text = texts(period / files["李伟"])
    assert "李伟" in text[0] and "客户经理资料包" in text[0] and "华东能源" in "".join(text)
    assert "□" not in "".join(text)
    fonts = subprocess.run(["pdffonts", str(period / files["李伟"])], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts
    assert "员工表中" in output


def test_packs_need_pdf(tmp_path):
    book = write(tmp_path / "b.xlsx", portfolio())
    r = CliRunner().invoke(main, ["build", book, "--out", str(tmp_path / "o"), "--format", "json", "--packs", "managers"])
    assert r.exit_code == 2 and "--packs managers makes PDFs" in r.output
    assert not (tmp_path / "o").exists()


def test_summary_packs_follow_the_schema(built_en):
    import jsonschema
    from importlib.resources import files
    schema = json.loads(files("kamreport.outputs").joinpath("summary.schema.json").read_text(encoding="utf-8"))
    period, _ = built_en
    summary = json.loads((period / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, schema)
    assert "packs" in schema["properties"] and len(summary["packs"]) == 3


def test_a_file_where_the_packs_folder_goes_is_refused(tmp_path):
    book = write(tmp_path / "b.xlsx", portfolio())
    (tmp_path / "o" / "2026Q3").mkdir(parents=True)
    (tmp_path / "o" / "2026Q3" / "managers").write_text("not ours")
    r = CliRunner().invoke(main, ["build", book, "--out", str(tmp_path / "o"), "--packs", "managers", "--jobs", "1"])
    assert r.exit_code == 1 and "managers is a file, not a folder: move it away" in r.output
    assert (tmp_path / "o" / "2026Q3" / "managers").read_text() == "not ours"


def test_pack_money_follows_the_one_convention(tmp_path):
    """万/亿 in Chinese, K/M in English (issue 16) in the pack's cards and
    tables alike: the scorecard table once printed ¥11,296,800 under a
    ¥1,129.7万 card."""
    import re
    for lang, units in (("zh", {"万", "亿"}), ("en", {"K", "M", "B"})):
        (tmp_path / lang).mkdir()
        period, _ = build(tmp_path / lang, lang=lang)
        front = texts(next((period / "managers").glob("*.pdf")))[0]
        found = re.findall(r"¥-?([\d,]+(?:\.\d+)?)([万亿KMB]?)", front)
        assert any(u for _, u in found), front
        full = [v for v, u in found if not u and float(v.replace(",", "")) >= 10_000]
        assert not full and {u for _, u in found if u} <= units, (lang, full)
