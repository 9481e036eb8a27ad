"""Giving memory back to the system (glibc), for the build's peak-memory goal.

WeasyPrint copies each font file it embeds into a Python bytes object per
document (the Noto CJK collections are ~20 MB each) and frees it after
writing. glibc serves a large block with mmap and returns it on free, but
each such free raises its "mmap threshold" up to 32 MB (the dynamic
threshold), after which the same 20 MB blocks come from the heap and stay
there, fragmented: a render worker grew from ~130 MB to ~330 MB RSS within
a dozen account plans. Fixing the threshold (`limit_heap`) and trimming the
heap after each document (`trim`) kept it at ~240 MB (measured on the
sample's account plans, /proc/self/status VmRSS).

Both are no-ops where the C library is not glibc.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3          # glibc <malloc.h>
MMAP_THRESHOLD = 128 * 1024    # blocks from 128 KiB up (glibc's initial value) are mmap'ed and given back on free

_libc = None


def _glibc():
    global _libc
    if _libc is None:
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc = lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else False
        except OSError:
            _libc = False
    return _libc or None


def limit_heap() -> bool:
    """Serve large blocks with mmap from now on, in this process and the
    processes it forks (a fixed threshold turns the dynamic one off)."""
    lib = _glibc()
    return bool(lib and lib.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def trim() -> None:
    """Return the free memory at the top and inside the heap to the system."""
    lib = _glibc()
    if lib:
        lib.malloc_trim(0)

