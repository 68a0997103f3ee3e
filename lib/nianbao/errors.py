"""Every error a user can meet, in one place, with the exit code it gives, and how inputs
are located and worded for a township clerk.

Exit codes of every command: 0 all good; 1 the data has errors (findings) or a unit failed;
2 an input cannot be used; 130 interrupted.
"""
from __future__ import annotations

import difflib
import errno
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_BROKEN_PIPE = 141           # 128 + SIGPIPE, as a shell reports a command whose reader went away

UNREADABLE = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
              errno.EISDIR: "这是一个文件夹，不是文件", errno.ENAMETOOLONG: "文件名过长",
              errno.ENOSPC: "磁盘空间不足", errno.EROFS: "文件夹只读，不能写入", errno.ELOOP: "符号链接循环"}


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


class NianbaoError(Exception):
    """An error the user can act on; its text is for them (Chinese), never a traceback."""
    exit_code = EXIT_UNUSABLE


class DataFileError(NianbaoError):
    """The input cannot be used at all; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class PreviousFileError(DataFileError):
    """The previous-year file the user named cannot be used."""


class UnsafeName(NianbaoError, ValueError):
    """A county or short name that cannot be a file name inside the output folder."""


class NotAReport(NianbaoError, ValueError):
    """The input is not a government information disclosure annual report we can read."""


class UnreadableDocument(NianbaoError, ValueError):
    """A Word or PDF file whose text cannot be had (an old .doc without LibreOffice, a scan)."""


class TooLarge(NianbaoError):
    """Something a compressed input holds is past its bound (io/inflate.py, importer/pdf_limits.py);
    the text says what and the limit, the reader adds the file's name."""


class OutputBusy(NianbaoError):
    """Another `nianbao run` is writing the same output folder."""


class OutputUnwritable(NianbaoError):
    """A file cannot be written where it belongs: the disk is full, the folder is read-only or not
    ours to write. The machine's problem, not a township's: the command stops (exit 2)."""

    def __init__(self, path: Path | str, exc: OSError):
        self.path, self.errno = path, exc.errno
        super().__init__(WRITE_FAILURES[exc.errno].format(path=display_path(path)))


# what stops every write, in a clerk's words; any other OSError is the one file's own problem
WRITE_FAILURES = {
    errno.ENOSPC: "磁盘空间不足，无法写入“{path}”；请腾出磁盘空间后再运行",
    errno.EDQUOT: "磁盘空间不足（已超过磁盘配额），无法写入“{path}”；请腾出磁盘空间后再运行",
    errno.EROFS: "“{path}”所在的磁盘或文件夹是只读的，不能写入；请用 --out 指定一个可写的文件夹",
    errno.EACCES: "没有写入“{path}”的权限；请用 --out 指定一个可写的文件夹，或请管理员开放权限",
    errno.EPERM: "没有写入“{path}”的权限；请用 --out 指定一个可写的文件夹，或请管理员开放权限",
}


def unwritable(exc: OSError, path: Path | str | None = None) -> OutputUnwritable | None:
    """The user error an OSError from a write is, when it is one of WRITE_FAILURES; else None."""
    if exc.errno not in WRITE_FAILURES:
        return None
    return OutputUnwritable(path or exc.filename or "", exc)


@contextmanager
def writing(path: Path | str):
    """Around a write of `path`: a full disk, a read-only folder, no permission → OutputUnwritable."""
    try:
        yield
    except OSError as exc:
        error = unwritable(exc, path)
        if error is None:
            raise
        raise error from exc


class FontMissing(NianbaoError, RuntimeError):
    """No CJK font: charts would draw empty boxes instead of Chinese."""


def suggest(word: str, known) -> str:
    """「，是否应为“x”？」 when a known name is close to an unknown one."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.5)
    return f"，是否应为“{close[0]}”？" if close else ""
