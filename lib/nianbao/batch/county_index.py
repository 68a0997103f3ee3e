"""A county-year's index page and findings.csv, built from the unit records of run.json.

Plain Python (no pandas): these are rebuilt on every run, also when every unit was skipped.
The page follows the reports' rules: no script, nothing loaded, every name escaped.
"""
from __future__ import annotations

import csv
import io
import re
from html import escape
from urllib.parse import quote

from ..io.files import atomic_write
from ..model.findings import COLUMNS

STATUS_WORDS = {"ok": "通过", "errors": "有错误", "failed": "生成失败", "unusable": "无法使用"}
DEMO_WORDS = "示例数据（非真实）"
CSS = """
body { margin: 2em auto; max-width: 60em; padding: 0 1em; font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "Microsoft YaHei", sans-serif; color: #000; line-height: 1.6; }
h1 { font-size: 1.5em; font-weight: normal; text-align: center; }
p.demo-banner { border: 2px solid #b22222; color: #b22222; text-align: center; font-weight: bold; padding: .3em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: .25em .5em; vertical-align: top; }
th { background: #f0f0f0; font-weight: normal; }
td.num { text-align: right; }
tr.errors td.status, tr.failed td.status, tr.unusable td.status { color: #b22222; font-weight: bold; }
td.reason { font-size: .9em; word-break: break-all; }
span.demo { color: #b22222; font-size: .85em; }
"""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value) -> str:
    """A cell Excel shows as text, never runs: a formula-leading text gets a leading apostrophe
    (OWASP's advice against CSV injection), which Excel shows and a reader understands; plain
    numbers such as -3 stay numbers."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def findings_csv(records: list[dict]) -> str:
    """Every finding of every unit; UTF-8 with BOM so that Excel shows the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["unit", *COLUMNS])
    for record in records:
        for finding in record.get("findings", []):
            writer.writerow([csv_cell(record.get("short_name") or record["display"]),
                             *(csv_cell(finding.get(c)) for c in COLUMNS)])
    return "\ufeff" + buffer.getvalue()


def status_counts(records: list[dict]) -> str:
    """E.g. 通过20个，有错误2个，无法使用1个."""
    counts = {s: sum(r["status"] == s for r in records) for s in STATUS_WORDS}
    return "，".join(f"{STATUS_WORDS[s]}{n}个" for s, n in counts.items() if n)


def _link(name: str | None, text: str) -> str:
    return f'<a href="{escape(quote(name))}">{text}</a>' if name else ""


def _row(number: int, record: dict) -> str:
    status = record["status"]
    name = record.get("short_name") or record["display"]
    outputs = record.get("outputs") or {}
    demo = f' <span class="demo">{DEMO_WORDS}</span>' if record.get("demo") else ""
    counts = (f'<td class="num">{record["errors"]}</td><td class="num">{record["warnings"]}</td>'
              if status in ("ok", "errors") or record.get("findings") else "<td></td><td></td>")
    return (f'<tr class="{status}"><td class="num">{number}</td><td>{escape(name)}{demo}</td>'
            f'<td class="status">{STATUS_WORDS[status]}</td>{counts}'
            f'<td>{_link(outputs.get("review"), "审阅版")}</td><td>{_link(outputs.get("public"), "公开版")}</td>'
            f'<td class="reason">{escape(record.get("message") or "")}</td></tr>')


def index_html(county: str, year: int | str, records: list[dict], summary: bool) -> str:
    title = f"{county}{year}年政府信息公开工作年度报告（各乡镇、街道）"
    overview = status_counts(records)
    banner = (f'<p class="demo-banner">{DEMO_WORDS}：标注的单位使用示例数据，不是真实报告</p>'
              if any(r.get("demo") for r in records) else "")
    links = " · ".join(x for x in (_link("summary.html", "全县汇总") if summary else "",
                                    _link("findings.csv", "全部检查结果（CSV）")) if x)
    rows = "".join(_row(i, r) for i, r in enumerate(records, start=1))
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"{banner}<h1>{escape(title)}</h1>\n<p>共{len(records)}个单位：{overview}。{links}</p>\n"
            f"<table><thead><tr><th>序号</th><th>单位</th><th>状态</th><th>错误</th><th>提醒</th>"
            f"<th colspan=\"2\">报告</th><th>说明</th></tr></thead>\n<tbody>{rows}</tbody></table>\n"
            f"</body>\n</html>\n")


def write_index(folder, county: str, year, records: list[dict], summary: bool) -> None:
    atomic_write(folder / "findings.csv", findings_csv(records))
    atomic_write(folder / "index.html", index_html(county, year, records, summary))
