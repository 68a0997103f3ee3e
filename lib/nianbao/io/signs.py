"""Signed numbers as clerks write them in a 本年增/减 cell: 增3, 减12, −2 (U+2212), －2
(full width), (2) and （2） (the accountant's negative), +3 — turned into plain “-2”/“3”."""
from __future__ import annotations

import re

SIGNED = re.compile(r"(?P<sign>增|减|[-－−+＋])?\s*(?P<number>\d[\d,]*(?:\.\d+)?)|"
                    r"[(（]\s*(?P<negative>\d[\d,]*(?:\.\d+)?)\s*[)）]")
NEGATIVE_SIGNS = {"减", "-", "－", "−"}


def plain_number(text: str) -> str | None:
    """“减12” → “-12”, “（3）” → “-3”, “增3” → “3”; None when the text is not one signed number."""
    found = SIGNED.fullmatch(text.strip())
    if not found:
        return None
    if found.group("negative"):
        return "-" + found.group("negative")
    return ("-" if found.group("sign") in NEGATIVE_SIGNS else "") + found.group("number")
