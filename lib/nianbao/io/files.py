"""Writing files so that nothing is ever half-written.

A file is written to a temporary file beside it, then renamed over it: a reader, a killed
process or a full disk leaves the old file or the new one, never a part. A temporary file is
left only by a process killed while writing it; the next run in that folder removes it
(remove_stale_temporaries). Not fsync'd: the promise is against a process that dies, not a
machine that loses power.
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import suppress
from pathlib import Path

from ..errors import writing

_UMASK = os.umask(0o022)
os.umask(_UMASK)
# mkstemp's names as atomic_write asks for them: ".<name>.<8 random characters>.tmp"
TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    atomic_write_all({path: data})


def atomic_write_all(files: dict[Path, str | bytes]) -> None:
    """Several files replaced together: every one is written to its temporary file first, and only
    then are they renamed, so a write that fails (a full disk) leaves every old file as it was.
    A full disk, a read-only folder or a missing permission is OutputUnwritable (its path named)."""
    temporaries: dict[Path, str] = {}
    try:
        for path, data in files.items():
            path = Path(path)
            with writing(path):
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, temporaries[path] = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
                with os.fdopen(fd, "wb") as handle:
                    os.fchmod(fd, 0o666 & ~_UMASK)      # mkstemp makes 0600; outputs are for sharing
                    handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
    except BaseException:
        for temporary in temporaries.values():
            Path(temporary).unlink(missing_ok=True)
        raise


def check_writable(folder: Path) -> None:
    """OutputUnwritable at once when nothing can be written in `folder` (read-only, no permission),
    rather than after the work whose results would go there."""
    with writing(folder), tempfile.TemporaryFile(dir=folder):
        pass


def remove_stale_temporaries(folder: Path, depth: int = 2) -> list[Path]:
    """Remove the temporary files a killed writer left in `folder` and its subfolders down to
    `depth` (a batch's output: the root, counties, years). Only for a folder no one else is
    writing (the batch holds its lock). Returns what was removed."""
    removed = []
    folder = Path(folder)
    with suppress(OSError):
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and TEMPORARY.match(entry.name):
                with suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            elif depth > 0 and entry.is_dir(follow_symlinks=False):
                removed += remove_stale_temporaries(Path(entry.path), depth - 1)
    return removed
