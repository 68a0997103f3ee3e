"""A PDF's lines of running text made into its paragraphs again (a PDF's text ends a line where
the page does, inside sentences: “社会\n主义思想”)."""
from __future__ import annotations

import re

# punctuation that never starts a line of Chinese text: a line starting with it continues the last
CLOSING = set("，、。；：！？）》」』”’,.;:!?)")
SENTENCE_END = set("。！？；：…")
WIDE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f“”‘’]")


def _width(line: str) -> float:
    """A line's width in Chinese characters (a digit or letter is half of one; a space that
    pdftotext writes for the room between a digit and a character, a quarter)."""
    return sum(1 if WIDE.match(ch) else 0.25 if ch.isspace() else 0.5 for ch in line.strip())


def reflow(text: str) -> list[str]:
    """A PDF's lines of running text as their paragraphs. A line is joined to the one before when
    that one is full (at least 4/5 of the widest: a heading or a paragraph's last line is
    shorter) and does not end a sentence, or when it starts with punctuation no line starts with
    (a hanging “、”). A full line that ends a sentence stays the end of its paragraph (no sentence
    is cut either way); spaces next to Chinese characters (pdftotext's “2024 年”) are dropped."""
    raw = [line.strip() for line in text.splitlines() if line.strip()]
    full = 0.8 * max((_width(line) for line in raw), default=0)
    out: list[str] = []
    open_line = False            # the last physical line was full and ended inside a sentence
    for line in map(_spaced, raw):
        last = out[-1] if out else ""
        if out and line[0] in CLOSING:                  # hangs on the line before, whatever its width
            out[-1] = last + line
            open_line = open_line and line[-1] not in SENTENCE_END
            continue
        if out and open_line:
            out[-1] = last + (" " if last[-1].isascii() and line[0].isascii() and last[-1].isalnum() else "") + line
        else:
            out.append(line)
        open_line = _width(line) >= full and line[-1] not in SENTENCE_END
    return out


def _spaced(line: str) -> str:
    """The line without spaces next to a Chinese character; one space between other words."""
    def space(found: re.Match) -> str:
        return "" if WIDE.match(line[found.start() - 1]) or WIDE.match(line[found.end()]) else " "
    return re.sub(r"(?<=\S)\s+(?=\S)", space, line)


def paragraphs(text: str, from_pdf: bool = False) -> str:
    """A section's text as its paragraphs, one a line; a PDF's text reflowed (its line ends are
    no paragraphs' ends), any other's lines kept."""
    if from_pdf:
        return "\n".join(reflow(text.replace("\f", "\n")))
    lines = (re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
