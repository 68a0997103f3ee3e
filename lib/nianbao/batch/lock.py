"""One `nianbao run` at a time per output folder.

Two batches writing the same `--out` would each rebuild run.json, index.html and findings.csv
from their own units and drop the other's; every single file is written atomically, but the
county-year would end up describing only one of the batches. A lock on `<out>/.nianbao-run.lock`
(flock: the kernel releases it when the process ends, however it ends, so a crashed run never
leaves a stale lock) makes the second run stop at once with a clear message instead.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputBusy, display_path

LOCK_NAME = ".nianbao-run.lock"


@contextmanager
def output_lock(out_root: Path):
    out_root = Path(out_root)
    out_root.mkdir(parents=True, exist_ok=True)
    handle = open(out_root / LOCK_NAME, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            raise OutputBusy(f"输出文件夹“{display_path(out_root)}”正由另一个 nianbao run"
                             f"{f'（进程号 {holder}）' if holder.isdigit() else ''}写入；"
                             "请等它结束后再运行，或用 --out 指定另一个文件夹") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()                   # closing releases the lock
