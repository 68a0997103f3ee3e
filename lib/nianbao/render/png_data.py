"""What a PNG file's bytes say, read without decoding it: its signature, its size, and — for
the kinds a PDF takes as they are — its compressed pixel rows. Standard library only: png.py
(loaded by every notebook) and the PDF both use it."""
from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from the IHDR chunk, or None if these are not a PNG's bytes."""
    if not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR" or len(png) < 24:
        return None
    return struct.unpack_from(">II", png, 16)


def plain_idat(png: bytes) -> bytes | None:
    """The compressed pixel rows of an 8-bit, non-interlaced RGB or grey PNG — exactly the
    stream a PDF image with /FlateDecode and a PNG predictor holds — or None for any other PNG."""
    if not png.startswith(PNG_SIGNATURE):
        return None
    at, idat = len(PNG_SIGNATURE), []
    while at + 8 <= len(png):
        length, kind = struct.unpack_from(">I4s", png, at)
        body = png[at + 8:at + 8 + length]
        if kind == b"IHDR":
            depth, colour, _, _, interlace = struct.unpack_from(">5B", body, 8)
            if depth != 8 or colour not in (0, 2) or interlace:
                return None
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        at += 12 + length
    return b"".join(idat) or None
