"""SPEC §8: without libharfbuzz-subset a build still works — WeasyPrint's
fontTools path, slower — and says so in one warning; never an OSError from
pdf.py's HarfBuzz binding, never a missing summary.json."""
from __future__ import annotations

import json
import subprocess
import sys

from test_pdf import hide_harfbuzz_subset


def test_build_without_harfbuzz_subset_works_and_warns_once(tmp_path):
    from kamreport.sample.workbooks import write_workbook
    book = tmp_path / "tiny.xlsx"
    write_workbook(str(book), lang="en", customers=3, seed=3)
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, "-c", "import sys; from kamreport.cli import main; sys.exit(main())",
                          "build", str(book), "--out", str(out), "--jobs", "1", "--quiet"],
                         capture_output=True, text=True, timeout=900, env=hide_harfbuzz_subset(tmp_path / "site"))
    assert res.returncode == 0, res.stderr
    lines = res.stderr.splitlines()           # --quiet: the one warning, nothing from the libraries
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "libharfbuzz-subset" in lines[0], lines
    period = next(out.glob("*/summary.json")).parent
    summary = json.loads((period / "summary.json").read_text(encoding="utf-8"))
    for name in summary["outputs"]:
        assert (period / name).is_file(), name
    assert (period / "booklet.pdf").read_bytes().startswith(b"%PDF-")
