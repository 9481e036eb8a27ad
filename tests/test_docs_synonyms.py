"""docs/synonyms.md lists every word of kamreport/synonyms.py (SPEC §1.5:
"a maintained list … documented in the project")."""
from pathlib import Path

from kamreport.inputs import synonyms

DOC = (Path(__file__).resolve().parents[1] / "docs" / "synonyms.md").read_text(encoding="utf-8")


def test_every_synonym_is_documented():
    words = [w for ws in synonyms.SHEETS.values() for w in ws]
    words += [w for cols in synonyms.COLUMNS.values() for ws in cols.values() for w in ws]
    words += [w for keys in synonyms.ENUMS.values() for ws in keys.values() for w in ws]
    words += list(synonyms.CUSTOMER_NAME) + list(synonyms.LOG_TYPES)
    missing = [w for w in words if w not in DOC]
    assert not missing, missing
