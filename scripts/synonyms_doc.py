"""Regenerate docs/synonyms.md from kamreport/inputs/synonyms.py:
    .venv/bin/python scripts/synonyms_doc.py
tests/test_docs_synonyms.py checks that the page lists every word."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kamreport.inputs import schema, synonyms  # noqa: E402

HEAD = """# Other names kamreport understands (SPEC §1.5)

The reader finds sheets, columns and choices by their names in `inputs/schema.py` (the
spec's English keys and Chinese names) and by the words below, kept in
`kamreport/inputs/synonyms.py` (this page is made from it by `scripts/synonyms_doc.py`).
Matching ignores case, spaces, `_`, `-`, full-width forms and a bracketed unit or
qualifier (`销售额（万元）`). When a header is not here, say what it is in a Columns
sheet (列映射) or a `--map` file — see the end of this page.
"""


def tables() -> str:
    out = ["## Sheets", "", "| kind | also found as |", "|---|---|"]
    for k, ws in synonyms.SHEETS.items():
        out.append(f"| {k} | {', '.join(ws)} |")
    out += ["", "A sheet name with a year or other words around it (`销售数据2026`, `2026年销售`)",
            "is found by the name inside it. When no name matches, the header row decides",
            "(a header row holding a kind's required columns; month and revenue mean Sales;",
            "title, role, email mean Contacts). Visit and call logs (" + ", ".join(synonyms.LOG_TYPES) + ")",
            "may lack a type column: their rows are visits (or calls).", "", "## Columns", ""]
    for sheet, cols in synonyms.COLUMNS.items():
        spec = schema.find_sheet(sheet)
        out += [f"### {sheet} / {spec.zh}", "", "| column | 中文 | also found as |", "|---|---|---|"]
        for key, ws in cols.items():
            out.append(f"| {key} | {spec.column(key).zh} | {', '.join(ws)} |")
        out.append("")
    out += ["A sheet without a customer_id column matches customers by a customer name column (" +
            ", ".join(synonyms.CUSTOMER_NAME) + ").", "", "## Choices", ""]
    for enum, keys in synonyms.ENUMS.items():
        out += [f"### {enum}", "", "| value | also written as |", "|---|---|"]
        for key, ws in keys.items():
            out.append(f"| {key} | {', '.join(ws)} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    path = ROOT / "docs" / "synonyms.md"
    old = path.read_text(encoding="utf-8")
    tail = old[old.index("## Mapping what the reader cannot know"):]
    path.write_text(HEAD + "\n" + tables() + "\n" + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
