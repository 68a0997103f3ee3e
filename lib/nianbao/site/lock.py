"""One `nianbao run` at a time per output folder.

Two batches writing the same `--out` would each rebuild run.json, index.html and findings.csv
from their own units and drop the other's; every single file is written atomically, but the
county-year would end up describing only one of the batches. So a run holds an exclusive
flock on the output folder itself for its whole length, and a second run stops at once with a
clear message. The kernel releases an flock when its process ends, however it ends: a killed
run never leaves a stale lock, and no lock file is left in the folder.

Holding the lock, a run first makes sure the folder can be written (a read-only folder is said
at once, not after every report was made for nothing) and removes the temporary files a killed
run left (io/files.py): no one else is writing there.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputBusy, display_path, writing
from ..io.files import check_writable, remove_stale_temporaries


@contextmanager
def output_lock(out_root: Path):
    out_root = Path(out_root)
    created = not out_root.exists()
    with writing(out_root):
        out_root.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(f"输出文件夹“{display_path(out_root)}”正由另一个 nianbao run 写入；"
                             "请等它结束后再运行，或用 --out 指定另一个文件夹") from None
        check_writable(out_root)
        remove_stale_temporaries(out_root)
        yield
    finally:
        os.close(fd)                     # closing releases the lock
        if created:
            try:
                out_root.rmdir()         # a run that wrote nothing leaves no folder behind
            except OSError:
                pass
