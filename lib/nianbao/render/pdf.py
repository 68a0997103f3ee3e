"""The public page as a PDF for printing, sealing and filing: the page's blocks (the same the
Word file is made of) laid out on A4 by print_layout (print.css's official layout), written here:
fonts embedded as subsets with their text (selectable, searchable, read back cell by cell), the
charts' own PNG data, page numbers “— N —” on the outer side.

Nothing is fetched: an image must be embedded in the page (a data: URL), anything else fails
the PDF with a message naming it — a report never reads the network or the disk.
"""
from __future__ import annotations

import hashlib
import io
import struct
import zlib

from .blocks import content, page_title, parse
from .print_flow import PAGE_H, PAGE_W, Picture
from .print_layout import lay_out
from .png_data import plain_idat
from .typeset import Line

SYNTHETIC_BOLD = 0.03            # outline width (em) that makes a face without bold look bold


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def _string(text: str) -> str:
    """A PDF text string (UTF-16, so any title survives)."""
    return "<feff" + text.encode("utf-16-be").hex() + ">"


class _File:
    """The PDF's objects, numbered as they are added; written with their cross-reference table."""

    def __init__(self):
        self.objects: list[bytes | None] = []

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def add(self, body: str | bytes, number: int | None = None) -> int:
        number = number or self.reserve()
        self.objects[number - 1] = body.encode("latin-1") if isinstance(body, str) else body
        return number

    def stream(self, entries: str, data: bytes, compress: bool = True) -> int:
        if compress:
            data, entries = zlib.compress(data, 6), entries + " /Filter /FlateDecode"
        return self.add(f"<< {entries} /Length {len(data)} >>\nstream\n".encode("latin-1") + data
                        + b"\nendstream")

    def bytes(self, root: int, info: int) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(out.tell())
            out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(self.objects) + 1}\n0000000000 65535 f \n".encode())
        out.write("".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode())
        out.write(f"trailer\n<< /Size {len(self.objects) + 1} /Root {root} 0 R /Info {info} 0 R >>\n"
                  f"startxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()


class _Fonts:
    """The faces the pages use: a resource name each, and the glyphs used with their text."""

    def __init__(self):
        self.names: dict[object, str] = {}
        self.used: dict[object, dict[int, tuple[str, float]]] = {}    # face → gid → (char, em)

    def name(self, face) -> str:
        if face not in self.names:
            self.names[face] = f"F{len(self.names) + 1}"
            self.used[face] = {}
        return self.names[face]

    def write(self, pdf: _File) -> dict[str, int]:
        return {self.names[face]: _embed(pdf, face, glyphs) for face, glyphs in self.used.items()}


def _embed(pdf: _File, face, glyphs: dict[int, tuple[str, float]]) -> int:
    """A Type 0 font of one face: its subset, widths and the text of each glyph."""
    gids = sorted(glyphs)
    data, new_id = face.subset(set(gids))
    tag = "".join(chr(65 + b % 26) for b in hashlib.md5(repr((face.postscript_name, gids)).encode()).digest()[:6])
    name = f"{tag}+{face.postscript_name}"
    if face.cff:
        file_ref = pdf.stream("/Subtype /CIDFontType0C", _sfnt_table(data, b"CFF "))
        kind, file_key, extra = "CIDFontType0", "FontFile3", ""
    else:
        file_ref = pdf.stream(f"/Length1 {len(data)}", data)
        # each glyph's code is its id in the whole face; the subset numbers them anew
        table = bytearray(2 * (max(gids, default=0) + 1))
        for gid in gids:
            struct.pack_into(">H", table, 2 * gid, new_id[gid])
        kind, file_key = "CIDFontType2", "FontFile2"
        extra = f" /CIDToGIDMap {pdf.stream('', bytes(table))} 0 R"
    scale = 1000 / face.upem
    bbox = " ".join(_number(v * scale) for v in face.bbox)
    descriptor = pdf.add(
        f"<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [{bbox}] /ItalicAngle 0 "
        f"/Ascent {_number(face.ascent * 1000)} /Descent {_number(-face.descent * 1000)} "
        f"/CapHeight {_number(face.ascent * 700)} /StemV 80 /{file_key} {file_ref} 0 R >>")
    codes = sorted((face.code(gid), em) for gid, (_, em) in glyphs.items())
    widths = " ".join(f"{code} [{_number(round(em * 1000, 1))}]" for code, em in codes)
    cid_font = pdf.add(
        f"<< /Type /Font /Subtype /{kind} /BaseFont /{name} /CIDSystemInfo << /Registry (Adobe) "
        f"/Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R /DW 1000 "
        f"/W [{widths}]{extra} >>")
    unicode_map = pdf.stream("", _to_unicode({face.code(gid): char for gid, (char, _) in glyphs.items()}))
    return pdf.add(f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                   f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {unicode_map} 0 R >>")


def _sfnt_table(font: bytes, tag: bytes) -> bytes:
    """One table of an OpenType font file."""
    count = struct.unpack_from(">H", font, 4)[0]
    for at in range(12, 12 + 16 * count, 16):
        name, _, offset, length = struct.unpack_from(">4sIII", font, at)
        if name == tag:
            return font[offset:offset + length]
    raise ValueError(f"字体中缺少 {tag.decode()} 表")


def _to_unicode(chars: dict[int, str]) -> bytes:
    """The CMap that gives each glyph's text back (copying, searching, reading the cells)."""
    items = sorted(chars.items())
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for at in range(0, len(items), 100):
        chunk = items[at:at + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04x}> <{char.encode('utf-16-be').hex()}>" for code, char in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _image(pdf: _File, image: Picture) -> int:
    """An image XObject: an 8-bit RGB or grey PNG's own stream; any other image decoded by
    Pillow, its transparency as a soft mask."""
    kept = plain_idat(image.data) if image.kind == "png" else None
    if kept is not None:
        colours = 3 if image.data[25] == 2 else 1
        space = "/DeviceRGB" if colours == 3 else "/DeviceGray"
        return pdf.stream(f"/Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                          f"/ColorSpace {space} /BitsPerComponent 8 /Filter /FlateDecode "
                          f"/DecodeParms << /Predictor 15 /Colors {colours} /BitsPerComponent 8 "
                          f"/Columns {image.width} >>", kept, compress=False)
    from PIL import Image
    with Image.open(io.BytesIO(image.data)) as opened:
        mask = ""
        if opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info:
            rgba = opened.convert("RGBA")
            alpha = pdf.stream(f"/Type /XObject /Subtype /Image /Width {image.width} /Height "
                               f"{image.height} /ColorSpace /DeviceGray /BitsPerComponent 8",
                               rgba.getchannel("A").tobytes())
            pixels, space, mask = rgba.convert("RGB"), "/DeviceRGB", f" /SMask {alpha} 0 R"
        elif opened.mode in ("L", "1"):
            pixels, space = opened.convert("L"), "/DeviceGray"
        else:
            pixels, space = opened.convert("RGB"), "/DeviceRGB"
        return pdf.stream(f"/Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                          f"/ColorSpace {space} /BitsPerComponent 8{mask}", pixels.tobytes())


def _text(out: list[str], fonts: _Fonts, x: float, baseline: float, size: float, line: Line,
          colour, fake_bold: bool) -> None:
    """One line: a text object per run of glyphs of one face."""
    y = PAGE_H - baseline
    r, g, b = colour
    run_start, at = 0, x
    glyphs = line.glyphs
    for i in range(1, len(glyphs) + 1):
        if i < len(glyphs) and glyphs[i].face is glyphs[run_start].face:
            continue
        run = glyphs[run_start:i]
        face = run[0].face
        font = fonts.name(face)
        used = fonts.used[face]
        for glyph in run:
            used.setdefault(glyph.gid, (glyph.char, glyph.width / size))
        hexcodes = "".join(f"{face.code(glyph.gid):04x}" for glyph in run)
        bold = f" 2 Tr {_number(size * SYNTHETIC_BOLD)} w {r:.3f} {g:.3f} {b:.3f} RG" if fake_bold else ""
        out.append(f"BT /{font} {_number(size)} Tf {_number(round(line.spacing, 3))} Tc {r:.3f} {g:.3f} "
                   f"{b:.3f} rg{bold} 1 0 0 1 {_number(round(at, 2))} {_number(round(y, 2))} Tm "
                   f"<{hexcodes}> Tj ET")
        at += sum(glyph.width for glyph in run) + line.spacing * len(run)
        run_start = i


def _content(page: list, fonts: _Fonts, images: dict[int, tuple[str, Picture]]) -> bytes:
    out: list[str] = []
    for step in page:
        if step[0] == "text":
            _text(out, fonts, *step[1:])
        elif step[0] == "rect":
            _, x, y, w, h, width, (r, g, b), dashed = step
            out.append(f"q {_number(width)} w {r:.3f} {g:.3f} {b:.3f} RG{' [3 2] 0 d' if dashed else ''} "
                       f"{x:.2f} {PAGE_H - y - h:.2f} {w:.2f} {h:.2f} re S Q")
        else:
            _, x, y, w, h, image = step
            name = images.setdefault(id(image), (f"Im{len(images) + 1}", image))[0]
            out.append(f"q {w:.2f} 0 0 {h:.2f} {x:.2f} {PAGE_H - y - h:.2f} cm /{name} Do Q")
    return "\n".join(out).encode("latin-1")


def pdf_bytes(html: str, title: str | None = None) -> bytes:
    """The PDF of one exported page (the public page)."""
    pages = lay_out(content(html))
    pdf, fonts, images = _File(), _Fonts(), {}
    streams = [pdf.stream("", _content(page, fonts, images)) for page in pages]
    font_refs = fonts.write(pdf)
    image_refs = {name: _image(pdf, image) for name, image in images.values()}
    resources = pdf.add("<< /Font << " + " ".join(f"/{n} {ref} 0 R" for n, ref in font_refs.items())
                        + " >> /XObject << " + " ".join(f"/{n} {ref} 0 R" for n, ref in image_refs.items())
                        + " >> >>")
    tree = pdf.reserve()
    kids = [pdf.add(f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {_number(round(PAGE_W, 3))} "
                    f"{_number(round(PAGE_H, 3))}] /Resources {resources} 0 R /Contents {stream} 0 R >>")
            for stream in streams]
    pdf.add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>", tree)
    root = pdf.add(f"<< /Type /Catalog /Pages {tree} 0 R /Lang {_string('zh-CN')} >>")
    description = parse(html).find("meta", attrs={"name": "description"})
    subject = f" /Subject {_string(description.get('content', ''))}" if description else ""
    info = pdf.add(f"<< /Title {_string(title or page_title(html))}{subject} /Producer (nianbao) >>")
    return pdf.bytes(root, info)
