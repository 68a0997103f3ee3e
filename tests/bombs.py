"""Files that inflate, made for the tests: small on disk, huge once decompressed.

Each is built by streaming through a compressor, so the test never holds the inflated size."""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

MB = 1024 * 1024


def deflated(chunk: bytes, total: int, head: bytes = b"", tail: bytes = b"") -> bytes:
    """head + chunk repeated to `total` bytes + tail, zlib-compressed (the PDF's FlateDecode)."""
    comp = zlib.compressobj(9)
    out = [comp.compress(head)]
    for _ in range(total // len(chunk)):
        out.append(comp.compress(chunk))
    out += [comp.compress(tail), comp.flush()]
    return b"".join(out)


def pdf_file(path: Path, *pages: bytes, filters: bytes = b"/FlateDecode") -> Path:
    """A PDF whose pages' content streams are `pages` (each already encoded by `filters`)."""
    count = len(pages)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * k) for k in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for k, contents in enumerate(pages):
        objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * k),
                    b"<< /Length %d /Filter %s >>\nstream\n" % (len(contents), filters) + contents + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def text_ops(words: str, line: int) -> bytes:
    """One line of text on the page, as a PDF content stream writes it."""
    return b"BT /F1 10 Tf 40 %d Td (%s) Tj ET\n" % (800 - 12 * (line % 64), words.encode("latin-1"))


def rezipped(source: Path, path: Path, grow: dict[str, tuple[bytes, bytes, int]] | None = None,
             rename: dict[str, str] | None = None) -> Path:
    """`source` (a .docx/.xlsx) copied, a part grown by streaming `filler` into it before `marker`
    ({name: (marker, filler, total bytes of filler)}), parts renamed (and their references)."""
    grow, rename = grow or {}, rename or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            for old, new in rename.items():
                data = data.replace(old.encode(), new.encode()).replace(old.split("/", 1)[-1].encode(),
                                                                      new.split("/", 1)[-1].encode())
            name = rename.get(info.filename, info.filename)
            if info.filename not in grow:
                zout.writestr(name, data)
                continue
            marker, filler, total = grow[info.filename]
            head, tail = data.split(marker, 1)
            with zout.open(name, "w") as part:
                part.write(head)
                for _ in range(total // len(filler)):
                    part.write(filler)
                part.write(marker + tail)
    return path


def declared(path: Path, name: str, size: int) -> Path:
    """`path` with part `name` declaring `size` bytes in the archive's directory, whatever it holds."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        start = archive.start_dir
    at = data.index(name.encode(), start) - 46                # the fixed part of its directory entry
    assert data[at:at + 4] == b"PK\x01\x02" and data[at + 24:at + 28] != b"\xff" * 4
    data[at + 24:at + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path
