"""The tree is the pipeline (docs/architecture.md): which stage may import
which, and the one door to WeasyPrint. Read from the source with ast, so a
lazy import inside a function counts as much as one at the top."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "kamreport"
STAGES = ("inputs", "engine", "report", "pdf", "build", "outputs", "deliver", "sample")
# fmt: one formatter for every stage; atomic: every stage that writes a file writes it so.
TOP = {"__init__", "atomic", "cli", "errors", "fmt", "model"}
# What a stage must never import: a later stage, or one beside it it has no business with.
FORBIDDEN = {
    "inputs": {"engine", "report", "pdf", "build", "outputs", "deliver", "sample"},
    "engine": {"report", "pdf", "build", "outputs", "deliver", "sample"},
    "report": {"build", "deliver", "sample", "outputs"},
    "pdf": {"build", "deliver", "sample", "engine", "outputs"},
    "outputs": {"build", "deliver", "sample"},
    "deliver": {"build", "report", "pdf", "sample"},
    "sample": {"build", "report", "pdf", "deliver", "outputs", "engine"},
}
# Only kamreport/pdf/ touches these (their private internals are pinned there).
PDF_ONLY = {"weasyprint", "pydyf", "cffi", "fontTools"}


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "templates" not in p.parts)


def _name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, mod: str, is_init: bool) -> set[str]:
    """Every module path `source` (module `mod`) imports, relative imports made absolute."""
    package = mod if is_init else mod.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                src = ".".join(base + ([node.module] if node.module else []))
            else:
                src = node.module or ""
            out.add(src)
            out.update(f"{src}.{a.name}" for a in node.names)
    return out


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "kamreport" and parts[1] in STAGES else None


def violations(source: str, mod: str, is_init: bool = False) -> list[str]:
    stage = _stage(mod)
    imported = _imports(source, mod, is_init)
    out = []
    if stage in FORBIDDEN:
        out += [f"{mod} ({stage}) imports {m}" for m in sorted(imported) if _stage(m) in FORBIDDEN[stage]]
    if stage != "pdf":
        out += [f"{mod} imports {m}: only kamreport/pdf/ may" for m in sorted(imported)
                if m.split(".")[0] in PDF_ONLY]
    return out


def test_the_package_top_holds_only_the_cli_and_the_shared_records():
    top = {p.stem for p in PKG.glob("*.py")}
    assert top == TOP, f"modules outside a stage package: {sorted(top ^ TOP)}"
    assert {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()} >= set(STAGES)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: _name(p))
def test_stages_import_only_what_they_may(path):
    assert not violations(path.read_text(encoding="utf-8"), _name(path), path.name == "__init__.py")


def test_the_rule_itself_sees_a_forbidden_import():
    """The checker is not vacuous: a lazy engine -> report import and a
    WeasyPrint import outside pdf/ are both found; the same in pdf/ is fine."""
    probe = "def f():\n    from ..report import views\n    import weasyprint.text\n"
    found = violations(probe, "kamreport.engine.probe")
    assert any("kamreport.report.views" in v for v in found) and any("weasyprint" in v for v in found)
    assert violations("import pydyf\nfrom ..model import Loc\n", "kamreport.pdf.probe") == []
    assert violations("from . import views\n", "kamreport.report", is_init=True) == []


# Inside pdf/, the internals pinned by pdf/internals.py (WeasyPrint's PDF
# writer and cffi handles, pydyf's objects) are read by two modules only;
# internals.py itself imports them for their version numbers.
INTERNALS = ("pydyf", "weasyprint.pdf", "weasyprint.text.ffi")
INTERNALS_READERS = {"kamreport.pdf.pieces", "kamreport.pdf.fonts", "kamreport.pdf.internals"}


def test_only_pieces_and_fonts_touch_weasyprint_and_pydyf_internals():
    readers = set()
    for path in (PKG / "pdf").glob("*.py"):
        mod = _name(path)
        imported = _imports(path.read_text(encoding="utf-8"), mod, path.name == "__init__.py")
        if any(m == name or m.startswith(name + ".") for m in imported for name in INTERNALS):
            readers.add(mod)
    assert readers <= INTERNALS_READERS, sorted(readers - INTERNALS_READERS)
    assert {"kamreport.pdf.pieces", "kamreport.pdf.fonts"} <= readers     # the rule sees them
