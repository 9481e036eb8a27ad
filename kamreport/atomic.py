"""Atomic file writes (SPEC §6): a crash leaves the previous file or none,
never half of one; and the one atomic folder swap a build ends with."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to a temporary file in the same folder, fsync, rename.

    The same folder, so that the rename stays on one file system and is atomic.
    An OSError names `path` (a failed write(2), e.g. a full disk, names no file).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise _naming(e, path) from e
    try:
        os.chmod(tmp, 0o644)          # mkstemp makes 0600; reports are meant to be shared
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _naming(e, path) from e
        raise


def _naming(e: OSError, path: Path) -> OSError:
    """`e`, or an OSError of the same errno (and subclass) naming `path`
    rather than nothing or its temporary file."""
    if e.filename is not None and not os.path.basename(str(e.filename)).startswith(f".{path.name}."):
        return e                        # names another file (a folder on the way): keep it
    return OSError(e.errno, e.strerror or os.strerror(e.errno or 0), str(path))


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE): a
    reader of either path sees the one folder or the other, never none.

    False when the system or the file system cannot (then nothing was done).
    """
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):       # not glibc >= 2.28, not Linux
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):   # kernel or file system without it
        return False
    raise OSError(err, os.strerror(err), os.fsdecode(b))


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename in `path` durable (best effort: not every system can)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
