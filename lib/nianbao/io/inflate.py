"""What a compressed input may become: every part of a Word file or workbook (a zip), and every
stream of a PDF, is bounded before it is inflated, so that a small file that unpacks to gigabytes
(a "zip bomb") is refused with the limit named instead of filling the memory.

Zip (.docx, .xlsx): the sizes the archive declares are checked first, part by part whatever its
name, and in total. Python's zipfile stops a part at its declared size, but reads a whole part in
one call when asked for all of it — so a part that declares less than it holds would still
inflate in full inside python-docx or openpyxl. The parts are therefore inflated here, in chunks,
up to their declared sizes (a part whose data does not match them is a damaged file), and the
libraries are given the result as an uncompressed archive: they never inflate anything.

PDF: pdfminer (under pdfplumber) inflates a stream in one call (`zlib.decompress`, its own LZW
and RunLength decoders). While a PDF is read, `bounded_streams` gives pdfminer's stream decoder
bounded ones: each stream stops one byte past its limit and the document's total is counted, so
nothing is inflated past the bounds; TooLarge says which bound, importer/pdf.py names the file.
"""
from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFileError, Problem, TooLarge
from .source import size_words

CHUNK = 1024 * 1024            # bytes inflated per call while a zip part is checked


@dataclass(frozen=True)
class ZipLimits:
    kind: str                  # what the file is, for the message: “Word 文档”, “工作簿”
    part: int                  # one part, uncompressed, whatever its name
    total: int                 # all parts together, uncompressed
    parts: int                 # how many parts
    advice: str                # what the clerk can do


def inflated_past(what: str, limit: int) -> TooLarge:
    return TooLarge(f"{what}解压后超过 {size_words(limit)}")


def _refuse(path: Path, text: str, limits: ZipLimits) -> DataFileError:
    return DataFileError([Problem(path, None, None, f"{text}；{limits.advice}")])


def unzipped(path: Path, data: bytes, limits: ZipLimits) -> io.BytesIO | None:
    """The archive `data` as an uncompressed zip, every part checked against `limits` before
    it is inflated; None when `data` is not a zip at all (the reader says so in its words)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if len(parts) > limits.parts:
        raise _refuse(path, f"{limits.kind}中有{len(parts)}个部件，超过{limits.parts}个", limits)
    for part in parts:
        name = part.filename[:120]               # as the archive names it: any text, any length
        if part.file_size > limits.part:
            raise _refuse(path, f"{limits.kind}中的部件“{name}”解压后超过 {size_words(limits.part)}"
                                f"（为 {size_words(part.file_size)}）", limits)
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2 and LZMA inflate a whole chunk in one call; Office never writes them
            raise _refuse(path, f"{limits.kind}中的部件“{name}”使用了 Office 不使用的压缩方式", limits)
    total = sum(part.file_size for part in parts)
    if total > limits.total:
        raise _refuse(path, f"{limits.kind}解压后超过 {size_words(limits.total)}（为 {size_words(total)}）", limits)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as stored:
            for part in parts:
                with archive.open(part) as source:       # stops at the declared size; CRC checked
                    chunks = iter(lambda: source.read(CHUNK), b"")
                    stored.writestr(_copy_info(part), b"".join(chunks))
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError) as exc:   # CRC, encrypted…
        raise _refuse(path, f"{limits.kind}已损坏（{type(exc).__name__}），无法解压", limits) from None
    out.seek(0)
    return out


def _copy_info(part: zipfile.ZipInfo) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(part.filename, part.date_time)
    info.compress_type = zipfile.ZIP_STORED
    return info


# ---------------------------------------------------------------- PDF streams

class _Budget:
    """Bytes a PDF's streams may inflate to: each stream, and all of the document's together."""

    def __init__(self, stream: int, total: int):
        self.stream, self.total, self.used = stream, total, 0

    def room(self) -> int:
        """The most the next stream may become: one byte more and it is refused."""
        return min(self.stream, self.total - self.used)

    def spend(self, size: int, so_far: int = 0) -> None:
        """`size` more bytes of a stream that had made `so_far`: TooLarge once past a bound."""
        self.used += size
        if so_far + size > self.stream:
            raise inflated_past("PDF 文件中的一个数据流", self.stream)
        if self.used > self.total:
            raise inflated_past("PDF 文件中的数据流合计", self.total)


class _Stream:
    """One stream being inflated, chunk by chunk, within the budget."""

    def __init__(self, budget: _Budget, inflater=None):
        self.budget, self.inflater, self.size = budget, inflater, 0
        self.room = budget.room()

    def add(self, size: int) -> None:
        self.budget.spend(size, self.size)
        self.size += size

    def decompress(self, data: bytes) -> bytes:     # pdfminer's repair feeds a byte at a time
        out = self.inflater.decompress(data, self.room + 1 - self.size)
        self.add(len(out))
        return out


class _BoundedZlib:
    """pdfminer's `zlib`: its `decompress` and `decompressobj`, stopped one byte past the budget."""

    def __init__(self, budget: _Budget):
        import zlib
        self._zlib, self._budget, self.error = zlib, budget, zlib.error

    def decompress(self, data: bytes) -> bytes:
        stream = _Stream(self._budget, self._zlib.decompressobj())
        out = stream.decompress(data)
        if not stream.inflater.eof:   # as zlib.decompress says: pdfminer then tries its repair,
            self._budget.used -= stream.size             # which counts it again
            raise self._zlib.error("incomplete or truncated stream")
        return out

    def decompressobj(self):
        return _Stream(self._budget, self._zlib.decompressobj())


def _bounded_lzw(budget: _Budget):
    from pdfminer.lzw import LZWDecoder

    def lzwdecode(data: bytes) -> bytes:
        stream, out = _Stream(budget), []
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            stream.add(len(chunk))
            out.append(chunk)
        return b"".join(out)
    return lzwdecode


def _bounded_runlength(budget: _Budget, rldecode):
    def decode(data: bytes) -> bytes:
        """The decoded size is read off the run lengths first (2 bytes may become 128)."""
        size, i = 0, 0
        while i < len(data) and data[i] != 128:
            length = data[i]
            size += length + 1 if length < 128 else 257 - length
            i += length + 2 if length < 128 else 2
        _Stream(budget).add(size)
        return rldecode(data)
    return decode


@contextmanager
def bounded_streams(stream_limit: int, total_limit: int):
    """While inside, every stream pdfminer decodes is bounded (TooLarge past the bounds). The
    decoders are pdfminer's module names, swapped for the while: one PDF read at a time in a
    process (the importer reads one), never from two threads."""
    from pdfminer import pdftypes
    budget = _Budget(stream_limit, total_limit)
    saved = pdftypes.zlib, pdftypes.lzwdecode, pdftypes.rldecode
    pdftypes.zlib = _BoundedZlib(budget)
    pdftypes.lzwdecode = _bounded_lzw(budget)
    pdftypes.rldecode = _bounded_runlength(budget, saved[2])
    try:
        yield budget
    finally:
        pdftypes.zlib, pdftypes.lzwdecode, pdftypes.rldecode = saved
