"""How readers locate and word what is wrong with an input, for a township clerk."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path


UNREADABLE = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
              errno.EISDIR: "这是一个文件夹，不是文件"}


def unreadable(exc: OSError) -> str:
    """Why a file could not be read, in a clerk's words (the system's own text as a last resort)."""
    return UNREADABLE.get(exc.errno, exc.strerror or type(exc).__name__)


def display_path(path: Path | str) -> str:
    """The path as the user knows it: relative to the working folder when below it."""
    path = Path(path)
    try:
        return os.path.relpath(path) if path.is_absolute() and Path.cwd() in path.parents else str(path)
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    """Something that makes an input unusable: where it is and what was expected."""
    file: Path | str
    where: str | None        # e.g. "第41行" or "工作表「三」C12"
    field: str | None        # e.g. "requests.granted.total"
    message: str             # Chinese, for the clerk

    def __str__(self) -> str:
        head = " ".join(p for p in (display_path(self.file), self.where) if p)
        return f"{head} {self.field}：{self.message}" if self.field else f"{head}：{self.message}"


class DataFileError(Exception):
    """The input cannot be used at all; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
