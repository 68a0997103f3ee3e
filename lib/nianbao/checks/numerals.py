"""Numbers as clerks write them: 12, １２, 两, 十二, 二十三, 一百零五, 〇."""
from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
PATTERN = r"[0-9０-９]+|[零〇一二两三四五六七八九十百千]+"   # for use inside a regex
FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def parse_number(text: str) -> int | None:
    """The value of an Arabic (also full-width) or Chinese numeral; None when it is not one."""
    text = text.strip().translate(FULL_WIDTH)
    if text.isdecimal():                                       # not isdigit: int("²") fails
        return int(text)
    if not text or any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        if not set(text) & {"〇", "零"}:
            return None                                        # 三四件 is "three or four"
        return int("".join(str(DIGITS[ch]) for ch in text))    # 二〇二〇: digit by digit
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            if digit:
                return None                                    # 三四 is not one number
            digit = DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * UNITS[ch]   # 十二: the 十 alone is 10
            digit = None
    return total + (digit or 0)
