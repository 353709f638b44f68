"""Opening one file of a pull request, whatever is at its path.

A pull request can commit a folder where a file belongs, a named pipe (reading it would wait
forever), a symbolic link, or leave a file unreadable on the machine that checks it out: each is a
problem naming the file, never a traceback or a hang. The type is checked on the opened
descriptor (`fstat`), so nothing can be swapped in between the check and the read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from menteo.errors import ContentError, Problem

_REAL_FILE = "replace it with a real file"


def _opened(path: Path, rel: str) -> int:
    """A descriptor of the regular file at `path`; non-blocking, so a pipe cannot hang."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ContentError([os_problem(rel, exc)]) from None
    kind = os.fstat(fd).st_mode
    if not stat.S_ISREG(kind):
        os.close(fd)
        message = (
            "is a folder where a file belongs"
            if stat.S_ISDIR(kind)
            else "is not a regular file (a pipe, socket or device)"
        )
        raise ContentError([Problem(rel, 0, "", message, _REAL_FILE)])
    return fd


def os_problem(rel: str, exc: OSError) -> Problem:
    """Why the file at `rel` could not be opened or read, as the user can fix it."""
    if exc.errno == errno.ELOOP:
        return Problem(rel, 0, "", "symbolic links are not allowed", _REAL_FILE)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Problem(rel, 0, "", "cannot be read (permission denied)", "make it readable")
    return Problem(rel, 0, "", f"cannot be read ({exc.strerror or exc})", _REAL_FILE)


def check_regular(path: Path, rel: str) -> None:
    """Raise `ContentError` unless `path` is a regular file this process can read."""
    os.close(_opened(path, rel))


def read_regular(path: Path, rel: str, max_bytes: int, hint: str) -> bytes:
    """The bytes of the regular file at `path`, at most `max_bytes` of them, or a `ContentError`
    (`hint` says how to make a file too large smaller)."""
    with open(_opened(path, rel), "rb") as handle:
        # Sized by fstat: `read(max_bytes + 1)` allocates that much for every small file.
        size = min(os.fstat(handle.fileno()).st_size, max_bytes)
        try:
            data = handle.read(size + 1)
        except OSError as exc:
            raise ContentError([os_problem(rel, exc)]) from None
    if len(data) > max_bytes:
        message = f"file is larger than {max_bytes // 1024} KiB"
        raise ContentError([Problem(rel, 0, "", message, hint)])
    return data
