"""What a PNG file's bytes say, read without decoding it: its signature and its size. Standard
library only: png.py (loaded by every notebook) and the PDF both use it."""
from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from the IHDR chunk, or None if these are not a PNG's bytes."""
    if not png.startswith(PNG_SIGNATURE) or png[12:16] != b"IHDR" or len(png) < 24:
        return None
    return struct.unpack_from(">II", png, 16)
