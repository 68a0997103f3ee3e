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
import math
import os
import stat
from pathlib import Path

from ..errors import DataFileError, Problem, unreadable

MB = 1024 * 1024
# Why these limits: a real data file is 5–20 KB of YAML (the seed: 7.5 KB, narrative and
# all), a filled workbook about 20 KB (70 KB unpacked), a published page with Word's markup a
# few hundred KB (the real pages in tests/data/published: 10–40 KB). Each limit leaves a wide margin and bounds the worst case: PyYAML composes
# in pure Python, and 256 KB of the densest YAML (80,000 tiny items) takes ≈ 3 s and ≈ 60 MB
# more; at 2 MB it was 20 s and 260 MB.
DATA_LIMIT = 256 * 1024       # a data file (YAML) or params file
WORKBOOK_LIMIT = 10 * MB      # an .xlsx as stored (compressed)
PAGE_LIMIT = 5 * MB           # a published page (.txt, .html) for the importer: 5 MB of page
                              # takes ≈ 5 s to import; 20 MB took 18 s and 183 MB, and its text
                              # would not fit a data file anyway
DOCUMENT_LIMIT = 30 * MB      # a published Word or PDF file: the seed's are 0.2–1 MB; charts and
                              # pictures make real ones a few MB (a scan is refused anyway)
REVIEWS_LIMIT = 512 * 1024    # reviews.yaml: one decision is ≈ 250 bytes, a county's ≈ 20 KB
KINDS = {DATA_LIMIT: "年度报告数据文件", REVIEWS_LIMIT: "审核意见文件（reviews.yaml）", WORKBOOK_LIMIT: "填报表（.xlsx）", PAGE_LIMIT: "公开发布的报告页面",
         DOCUMENT_LIMIT: "公开发布的报告（Word、PDF）"}


def size_words(size: int) -> str:
    """E.g. 50 MB, 257 KB: rounded up, so a file just over a limit never reads as at it."""
    return f"{math.ceil(size / MB)} MB" if size >= MB else f"{math.ceil(size / 1024)} KB"


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
