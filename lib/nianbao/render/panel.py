"""The findings panel of the review page, from plain records: written in the notebook
(sections.findings_panel) and again after the run when the notebook itself warned (audit.py)."""
from __future__ import annotations

from html import escape

from ..model.findings import ERROR


def panel_html(findings: list[dict], ran: list[str], skipped: str) -> str:
    """The findings panel from plain records (rule, severity, message): errors first, then
    warnings; or one line saying all checks passed and which ran. Skipped rules always named."""
    if not findings:
        line = (f"检查结果：全部{len(ran)}项检查通过（{'、'.join(ran)}）"
                + (f"；{skipped}" if skipped else "") + "。")
        return f'<section class="findings clean"><p>{escape(line)}</p></section>'
    errors = [f for f in findings if f["severity"] == ERROR]
    warnings = [f for f in findings if f["severity"] != ERROR]
    items = "".join(f'<li class="{f["severity"]}"><span class="rule">{escape(f["rule"])}</span>'
                    f'{escape(f["message"])}</li>' for f in errors + warnings)
    note = f'<p class="skipped">{escape(skipped)}。</p>' if skipped else ""
    return (f'<section class="findings"><h2 class="findings-title">检查结果：错误{len(errors)}项，'
            f"提醒{len(warnings)}项</h2><p>表中标色的单元格即问题所在（红色为错误，黄色为提醒）。</p>"
            f"<ol>{items}</ol>{note}</section>")
