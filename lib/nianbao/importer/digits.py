"""Reading the values of one table row from a published page, when cells may run together.

A page flattens `693665` from three cells; only the number of cells, the type of each (counts
are whole numbers written without leading zeros, amounts may have decimals) and the arithmetic
rules can tell how to split it. `readings` lists every split that fits the cell types; the
importer keeps one only when exactly one also satisfies the rules, and otherwise keeps them all
as candidates — a guessed number must never pass for a read one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..io.signs import plain_number
from ..model.edition import OPERATORS
from ..model.report import NOT_APPLICABLE, not_applicable_mark

# What a run of cell values may contain: numerals, separators, marks, a money unit.
# A signed change may be written 增3, 减12, −2, －2 or (2) (io/signs.py).
# A mark (/, —, 无, 不适用) says the cell does not apply to the unit (model.report.NOT_APPLICABLE).
VALUE_RUN = re.compile(rf"(?:[\s\d.,，+＋元万增减-]|{NOT_APPLICABLE.pattern}|[（(]\s*\d+\s*[)）])*")
TOKEN = re.compile(r"(?P<num>(?:增|减|[-－−+＋])?\d+(?:\.\d+)?)(?P<unit>万元|元)?|[（(]\s*(?P<paren>\d+)\s*[)）]"
                   rf"|(?P<mark>{NOT_APPLICABLE.pattern})")
NEGATIVE = "减-－−"
COUNT = re.compile(r"0|[1-9]\d*")
AMOUNT = re.compile(r"(0|[1-9]\d*)(\.\d+)?")
# a cell of its own may group thousands (1,306.14); in a run a comma is a border between cells
ONE_NUMBER = re.compile(r"([-－]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:万元|元)?")
MAX_READINGS = 20000        # beyond this a run says too little to be worth listing


@dataclass(frozen=True)
class Token:
    text: str               # as on the page
    number: str | None      # its digits (and decimal point) when numeric
    signed: bool = False


@dataclass(frozen=True)
class Mark:
    """A cell holding something other than a numeral, its text kept: a not-applicable mark
    (/, —, 无, 不适用), blank (missing), or other text (missing: a person decides)."""
    text: str

    @property
    def not_applicable(self) -> bool:
        return not_applicable_mark(self.text) is not None


def value_run(text: str) -> tuple[str, str]:
    """(the leading run of value characters, what follows it)."""
    end = VALUE_RUN.match(text).end()
    numbering = re.search(r"\d+[.．]$", text[:end])
    if numbering and end < len(text):       # "1." that starts the next label is not a value
        end = numbering.start()
    return text[:end], text[end:]


def tokens(run: str) -> list[Token]:
    out = []
    for found in TOKEN.finditer(run):
        if found.group("paren"):
            out.append(Token(found.group(0), found.group("paren"), True))
        elif found.group("num"):
            number = found.group("num")
            out.append(Token(found.group(0), number.lstrip("增减-－−+＋"), number[0] in NEGATIVE))
        else:
            out.append(Token(found.group(0), None))
    return out


def _piece(text: str, kind: str, signed: bool):
    """The value of one cell's digits, or None when they cannot be that cell."""
    if kind == "amount":
        if signed or not AMOUNT.fullmatch(text):
            return None
        return float(text) if "." in text else int(text)
    if not COUNT.fullmatch(text) or (signed and kind != "signed_count"):
        return None
    return -int(text) if signed else int(text)


def _splits(token: Token, kinds: list[str]):
    """Every way to cut one numeric token into len(kinds) cell values."""
    def go(rest: str, i: int, signed: bool):
        if i == len(kinds) - 1:
            value = _piece(rest, kinds[i], signed)
            if value is not None:
                yield (value,)
            return
        for cut in range(1, len(rest)):
            value = _piece(rest[:cut], kinds[i], signed)
            if value is not None:
                for tail in go(rest[cut:], i + 1, False):
                    yield (value, *tail)
    yield from go(token.number, 0, token.signed)


def split_run(toks: list[Token], kinds: list[str]) -> list[tuple]:
    """Every assignment of the tokens to the cells: a mark fills one cell, a number one or more."""
    out: list[tuple] = []

    def go(t: int, i: int, acc: tuple):
        if len(out) > MAX_READINGS:
            return
        if t == len(toks):
            if i == len(kinds):
                out.append(acc)
            return
        token = toks[t]
        if token.number is None:
            if i < len(kinds):
                go(t + 1, i + 1, acc + (Mark(token.text),))
            return
        left_for_rest = len(toks) - t - 1
        for k in range(1, len(kinds) - i - left_for_rest + 1):
            for values in _splits(token, kinds[i:i + k]):
                go(t + 1, i + k, acc + values)
    go(0, 0, ())
    return out


def cell_values(cells: list[str], kinds: list[str]) -> tuple | None:
    """One value per cell, for pages that keep the cells apart; None when the count differs."""
    if len(cells) != len(kinds):
        return None
    out = []
    for text, kind in zip(cells, kinds):
        found = ONE_NUMBER.fullmatch(plain_number(text) or text.strip())
        value = _piece(found.group(2).replace(",", ""), kind, bool(found.group(1))) if found else None
        out.append(value if value is not None else Mark(text.strip()))
    return tuple(out)


def rule_cells(rule: dict, line: str, ids) -> list[tuple[str, str, str]]:
    """The cells of one side (`ids`) of a rule on one line (a row or column id)."""
    table = rule["table"]
    return [(table, i, line) if rule["per"] == "column" else (table, line, i) for i in ids]


def holds(rule: dict, line: str, values: dict) -> bool | None:
    """Whether one rule holds for one line (a row or column id); None when a cell is unknown or
    not applicable (a Mark): that comparison is skipped, as the checks skip it."""
    def total(ids):
        cells = [values.get(key) for key in rule_cells(rule, line, ids)]
        if any(not isinstance(c, int) for c in cells):
            return None
        return sum(cells)
    left, right = total(rule["left"]), total(rule["right"])
    if left is None or right is None:
        return None
    return OPERATORS[rule.get("op", "==")](left, right)   # e.g. 2019's 总数 >= 新公开
