"""The findings panel of the review page, from plain records (rule, severity, message and, when a
reviewer explained it, review {note, by, at}): written in the notebook (sections.findings_panel)
and again after the run when the notebook itself warned (notebook/audit.py)."""
from __future__ import annotations

from html import escape

from ..model.findings import ERROR


def _item(f: dict) -> str:
    """One finding; one a reviewer explained says so, with the note, who and when."""
    review = f.get("review")
    if not review:
        return f'<li class="{f["severity"]}"><span class="rule">{escape(f["rule"])}</span>{escape(f["message"])}</li>'
    who = "，".join(x for x in (review.get("by"), review.get("at")) if x)
    return (f'<li class="{f["severity"]} explained"><span class="rule">{escape(f["rule"])}</span>'
            f'<span class="state">已说明</span>{escape(f["message"])}'
            f'<span class="review-note">审核意见：{escape(review["note"])}'
            + (f"（{escape(who)}）" if who else "") + "</span></li>")


def panel_html(findings: list[dict], ran: list[str], skipped: str) -> str:
    """Every finding, open errors first, then open warnings, then those a reviewer explained;
    or one line saying all checks passed and which ran. Skipped rules are always named."""
    if not findings:
        line = (f"检查结果：全部{len(ran)}项检查通过（{'、'.join(ran)}）"
                + (f"；{skipped}" if skipped else "") + "。")
        return f'<section class="findings clean"><p>{escape(line)}</p></section>'
    errors = [f for f in findings if f["severity"] == ERROR and not f.get("review")]
    warnings = [f for f in findings if f["severity"] != ERROR and not f.get("review")]
    explained = [f for f in findings if f.get("review")]
    items = "".join(_item(f) for f in errors + warnings + explained)
    note = f'<p class="skipped">{escape(skipped)}。</p>' if skipped else ""
    told = f"，已说明{len(explained)}项" if explained else ""
    return (f'<section class="findings"><h2 class="findings-title">检查结果：错误{len(errors)}项，'
            f"提醒{len(warnings)}项{told}</h2><p>表中标色的单元格即问题所在（红色为错误，黄色为提醒）。</p>"
            f"<ol>{items}</ol>{note}</section>")
