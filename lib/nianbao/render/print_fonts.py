"""The fonts of the printed report: the faces the page's own font stacks name (report.css), found
by fontconfig as a browser finds them; their glyphs and advances for laying out text; and the
subset of each face a PDF embeds (HarfBuzz's subsetter).

A face is opened once per process (memory-mapped by HarfBuzz, never copied) and its glyphs are
looked up once per character: a warm worker lays out every later report from memory.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cffi

from ..errors import FontMissing

CSS = Path(__file__).parent / "templates" / "report.css"
STACK = re.compile(r"--(\w+):\s*([^;]+);")

_ffi = cffi.FFI()
_ffi.cdef("""
    typedef struct hb_blob_t hb_blob_t;
    typedef struct hb_face_t hb_face_t;
    typedef struct hb_font_t hb_font_t;
    typedef struct hb_set_t hb_set_t;
    typedef struct hb_subset_input_t hb_subset_input_t;
    typedef uint32_t hb_codepoint_t;
    typedef uint32_t hb_tag_t;
    hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
    void hb_blob_destroy(hb_blob_t *blob);
    const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
    hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
    void hb_face_destroy(hb_face_t *face);
    unsigned int hb_face_get_upem(const hb_face_t *face);
    hb_blob_t *hb_face_reference_blob(hb_face_t *face);
    hb_blob_t *hb_face_reference_table(const hb_face_t *face, hb_tag_t tag);
    hb_font_t *hb_font_create(hb_face_t *face);
    int hb_font_get_nominal_glyph(hb_font_t *font, hb_codepoint_t unicode, hb_codepoint_t *glyph);
    int32_t hb_font_get_glyph_h_advance(hb_font_t *font, hb_codepoint_t glyph);
    hb_tag_t hb_tag_from_string(const char *str, int len);
    void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
    void hb_set_add_range(hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
    hb_subset_input_t *hb_subset_input_create_or_fail(void);
    void hb_subset_input_destroy(hb_subset_input_t *input);
    hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
    hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
    void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
    hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
""")
NO_HINTING, RETAIN_GIDS, DESUBROUTINIZE, PASSTHROUGH = 0x1, 0x2, 0x4, 0x20
DROP_TABLES = 3                  # HB_SUBSET_SETS_DROP_TABLE_TAG
UNUSED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                 b"PCLT", b"SVG ", b"vhea", b"vmtx", b"VORG")


@cache
def _harfbuzz():
    return _ffi.dlopen("libharfbuzz.so.0"), _ffi.dlopen("libharfbuzz-subset.so.0")


@dataclass(eq=False)
class Face:
    """One face of a font file: its glyphs, advances (in em) and what a PDF says of it."""
    path: str
    index: int
    family: str
    bold: bool                          # the face is bold itself (no synthetic bold needed)
    glyphs: dict[str, tuple[int, float]] = field(default_factory=dict)   # char → (glyph, advance)

    def __post_init__(self):
        hb, _ = _harfbuzz()
        blob = hb.hb_blob_create_from_file_or_fail(self.path.encode())
        if blob == _ffi.NULL:
            raise FontMissing(f"字体文件无法读取：{self.path}")
        self._face = hb.hb_face_create(blob, self.index)
        hb.hb_blob_destroy(blob)
        self._font = hb.hb_font_create(self._face)
        self.upem = hb.hb_face_get_upem(self._face)
        self._slot = _ffi.new("hb_codepoint_t *")
        self.cff = self._table(b"CFF ") is not None
        self.ascent, self.descent, self.bbox = self._vertical()
        self.cids, self.retain = self._cids() if self.cff else (None, False)

    def _cids(self) -> tuple[list[int] | None, bool]:
        """How a PDF names this CFF face's glyphs: a CID-keyed font by its CIDs (None: each CID is
        its glyph id, as in Noto CJK and Source Han), which its subsets keep; a name-keyed one by
        glyph id, so its subsets keep every glyph id (retain)."""
        from fontTools.ttLib import TTFont
        font = TTFont(self.path, fontNumber=self.index, lazy=True)
        if not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
            return None, True
        cids = [0] + [int(name[3:]) for name in font.getGlyphOrder()[1:]]
        return (None if cids == list(range(len(cids))) else cids), False

    def code(self, gid: int) -> int:
        """The code a PDF's text gives the glyph (Identity-H: its CID)."""
        return self.cids[gid] if self.cids else gid

    def _table(self, tag: bytes) -> bytes | None:
        hb, _ = _harfbuzz()
        blob = hb.hb_face_reference_table(self._face, hb.hb_tag_from_string(tag, 4))
        size = _ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(blob, size)
        out = _ffi.unpack(data, size[0]) if size[0] else None
        hb.hb_blob_destroy(blob)
        return out

    def _vertical(self) -> tuple[float, float, list[int]]:
        """Ascent and descent (em, from hhea, as browsers use them) and the bounding box (units)."""
        import struct
        hhea, head = self._table(b"hhea"), self._table(b"head")
        ascent, descent = struct.unpack_from(">hh", hhea, 4)
        bbox = list(struct.unpack_from(">hhhh", head, 36))
        return ascent / self.upem, -descent / self.upem, bbox

    def glyph(self, char: str) -> tuple[int, float] | None:
        """(glyph id, advance in em) of a character, or None if the face has no glyph for it."""
        found = self.glyphs.get(char)
        if found is None and char not in self.glyphs:
            hb, _ = _harfbuzz()
            if hb.hb_font_get_nominal_glyph(self._font, ord(char), self._slot):
                gid = self._slot[0]
                found = (gid, hb.hb_font_get_glyph_h_advance(self._font, gid) / self.upem)
            self.glyphs[char] = found
        return found

    def subset(self, gids: set[int]) -> tuple[bytes, dict[int, int]]:
        """The face cut down to the given glyphs, and each glyph's id in it (HarfBuzz numbers
        the kept glyphs in their order). A name-keyed CFF face keeps its glyph ids: first the
        glyphs (the rest left empty), then the empty tail after the last one cut off."""
        keep = sorted(gids | {0})
        passes = ((RETAIN_GIDS, keep), (0, None)) if self.retain else ((0, keep),)
        return self._cut(keep, passes), {gid: gid if self.retain else new for new, gid in enumerate(keep)}

    def _cut(self, keep: list[int], passes) -> bytes:
        hb, sub = _harfbuzz()
        face = self._face
        for flags, chosen in passes:
            request = sub.hb_subset_input_create_or_fail()
            glyphs = sub.hb_subset_input_glyph_set(request)
            if chosen is None:
                hb.hb_set_add_range(glyphs, 0, keep[-1])
            else:
                for gid in chosen:
                    hb.hb_set_add(glyphs, gid)
            drop = sub.hb_subset_input_set(request, DROP_TABLES)
            for tag in UNUSED_TABLES:
                hb.hb_set_add(drop, hb.hb_tag_from_string(tag, 4))
            sub.hb_subset_input_set_flags(request, flags | PASSTHROUGH | DESUBROUTINIZE | NO_HINTING)
            cut = sub.hb_subset_or_fail(face, request)
            sub.hb_subset_input_destroy(request)
            if face is not self._face:
                hb.hb_face_destroy(face)
            if cut == _ffi.NULL:
                raise FontMissing(f"字体无法嵌入PDF（{self.family}）")
            face = cut
        blob = hb.hb_face_reference_blob(face)
        size = _ffi.new("unsigned int *")
        data = _ffi.unpack(hb.hb_blob_get_data(blob, size), size[0])
        hb.hb_blob_destroy(blob)
        hb.hb_face_destroy(face)
        return data

    @property
    def postscript_name(self) -> str:
        return self.family.replace(" ", "-") + ("-Bold" if self.bold else "")


@cache
def _installed_families() -> frozenset[str]:
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        raise FontMissing("未找到 fontconfig（fc-list、fc-match），PDF无法选用字体：请先运行 make setup") from None
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


@cache
def stacks() -> dict[str, list[str]]:
    """report.css's font stacks by role (body, kai, heading, title, song)."""
    return {role: [name.strip().strip('"') for name in value.split(",")]
            for role, value in STACK.findall(CSS.read_text(encoding="utf-8"))}


@cache
def face(role: str, bold: bool = False) -> Face:
    """The face a browser would use for a role's stack: its first installed family."""
    stack = stacks()[role]
    installed = _installed_families()
    family = next((name for name in stack if name in installed), stack[-1])
    pattern = f"{family}:weight=bold" if bold else family
    found = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{family[0]}\t%{weight}", pattern],
                           capture_output=True, text=True).stdout.split("\t")
    if len(found) != 4 or not found[0]:
        raise FontMissing(f"未找到字体“{family}”：请先运行 make setup（安装 fonts-noto-cjk）")
    path, index, matched, weight = found
    return _open(path, int(index), matched, float(weight) >= 180)


@cache
def _open(path: str, index: int, family: str, bold: bool) -> Face:
    """One Face a file and index: roles set in the same face share its glyph table."""
    return Face(path, index, family, bold)


def fallbacks() -> list[Face]:
    """Faces tried, in order, for a character the role's face lacks (as fontconfig would)."""
    return [face("body"), face("heading")]


def warm() -> None:
    """Opens every face (a warm server calls this before forking its workers)."""
    for role in stacks():
        face(role)
    face("title", bold=True)
