"""SPEC §8: the same inputs give byte-identical HTML, JSON and PDF — and the
parallel build (2 workers) gives the same bytes as the serial one."""
from __future__ import annotations

from test_build import full_build


def test_two_builds_give_identical_bytes(tmp_path_factory):
    root = str(tmp_path_factory.getbasetemp() / "build0")   # the session's build of test_build, if it ran
    import os
    if not os.path.isdir(root):
        root = str(tmp_path_factory.mktemp("determinism"))
    parallel, _ = full_build(root, 2)
    serial, _ = full_build(root, 1)
    files = sorted(p.relative_to(parallel).as_posix() for p in parallel.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(serial).as_posix() for p in serial.rglob("*") if p.is_file())
    assert any(f.endswith(".pdf") for f in files)
    different = [f for f in files if (parallel / f).read_bytes() != (serial / f).read_bytes()]
    assert different == []
