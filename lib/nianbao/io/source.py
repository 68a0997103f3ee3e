"""Reading an input file safely: bounded in size, regular files only, one encoding policy.

Every reader (data YAML, params, workbooks, published pages) reads its bytes here, so a file
that is too large, a device or a pipe behind a symlink, or text in an encoding we do not read
is refused the same way everywhere, with the limit or the encoding named.

Encodings (one policy for every text reader): UTF-8 with or without BOM; UTF-16 with its BOM
(what Windows Notepad calls "Unicode"); otherwise GB18030, a superset of GBK and GB2312, which
older Chinese editors and portals write. Anything else (e.g. UTF-16 without BOM) is refused.
"""
from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from ..errors import DataFileError, Problem, unreadable

MB = 1024 * 1024
# Why these limits: the largest real data file (a county's report, every narrative section
# long) is about 20 KB of YAML, and a filled workbook about 60 KB; a published page with
# Word's markup runs to a few hundred KB. Each limit leaves a hundredfold margin and still
# keeps a reader's memory far below what two cores shared by a batch can afford.
DATA_LIMIT = 2 * MB           # a data file (YAML) or params file
WORKBOOK_LIMIT = 10 * MB      # an .xlsx as stored (compressed)
PAGE_LIMIT = 20 * MB          # a published page (.txt, .html) for the importer
KINDS = {DATA_LIMIT: "年度报告数据文件", WORKBOOK_LIMIT: "填报表（.xlsx）", PAGE_LIMIT: "公开发布的报告页面"}


def size_words(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= MB else f"{max(1, round(size / 1024))} KB"


def read_bytes(path: Path, limit: int = DATA_LIMIT) -> bytes:
    """The file's bytes; DataFileError when it is missing, not a regular file, or over `limit`."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise DataFileError([Problem(path, None, None, "不是普通文件（可能是设备、管道或文件夹），无法作为数据读取")])
            data = handle.read(limit + 1)    # never more than the limit, whatever stat says
    except FileNotFoundError:
        raise DataFileError([Problem(path, None, None, "找不到这个文件")]) from None
    except OSError as exc:
        raise DataFileError([Problem(path, None, None, f"无法读取文件（{unreadable(exc)}）")]) from None
    if len(data) > limit:
        size = max(info.st_size, len(data))
        raise DataFileError([Problem(path, None, None,
                                     f"文件过大（{size_words(size)}），{KINDS.get(limit, '这类文件')}"
                                     f"不应超过 {size_words(limit)}；请检查是否选错了文件")])
    return data


def decode(data: bytes, path: Path | str | None = None) -> str:
    """Text by the policy above; DataFileError (naming what was tried) when none fits."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:      # UTF-16 without BOM decodes "successfully" as text full of NULs
            break
        return text
    raise DataFileError([Problem(path or "", None, None,
                                 "无法识别文件的编码：应为 UTF-8、GBK/GB18030 或带 BOM 的 UTF-16 编码的文本"
                                 "（请在编辑器中“另存为”UTF-8）")])


def read_text(path: Path, limit: int = DATA_LIMIT) -> str:
    return decode(read_bytes(path, limit), path)
