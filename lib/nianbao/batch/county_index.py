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
from .nav import NAV_SLOT
from .search import CSS as SITE_CSS, search_box

# checks.trends.RULE, spelled here: importing checks would load pandas into the client, which an
# unchanged rerun never needs (tests/test_batch.py)
TREND_JUMP = "trend.jump"

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
/* A phone: the table scrolls in its own box, not the page; the unit's name stays in view
   (sticky, on its own ground, with borders each cell draws itself: collapsed ones stay behind);
   no cell is squeezed to one character a line. */
@media screen and (max-width: 600px) {
  body { margin: 1em auto; }
  h1 { font-size: 1.3em; }
  table { display: block; overflow-x: auto; border-collapse: separate; border-spacing: 0;
    border-top: 1px solid #444; border-left: 1px solid #444; }
  th, td { border-width: 0 1px 1px 0; white-space: nowrap; }
  tr > :nth-child(2) { position: sticky; left: 0; z-index: 1; background: #fff; white-space: normal;
    min-width: 5em; }
  th:nth-child(2) { background: #f0f0f0; }
  span.demo { display: block; }
  td.reason { white-space: normal; min-width: 12em; }
}
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


REVIEW_COLUMNS = ["review", "review_note", "reviewed_by", "reviewed_at"]   # review: open | explained


def open_counts(findings: list[dict]) -> dict[str, int]:
    """What the index and the summary count: open errors and warnings, and the explained ones."""
    open_ = [f for f in findings if not f.get("review")]
    return {"errors": sum(f["severity"] == "error" for f in open_),
            "warnings": sum(f["severity"] != "error" for f in open_),
            "explained": len(findings) - len(open_)}


def csv_text(rows: list[list]) -> str:
    """UTF-8 with BOM so that Excel shows the Chinese; every cell safe to open (csv_cell)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([csv_cell(c) for c in row] for row in rows)
    return "\ufeff" + buffer.getvalue()


def findings_csv(records: list[dict]) -> str:
    """Every finding of every unit, with a reviewer's decision where there is one."""
    rows = [["unit", *COLUMNS, *REVIEW_COLUMNS]]
    for record in records:
        for finding in record.get("findings", []):
            review = finding.get("review") or {}
            rows.append([record.get("short_name") or record["display"],
                         *("" if finding.get(c) is None else finding[c] for c in COLUMNS),
                         "explained" if review else "open", review.get("note", ""), review.get("by", ""),
                         review.get("at", "")])
    return csv_text(rows)


def ratios_csv(records: list[dict]) -> str:
    """The evaluators' ratios of every unit with a report, the county's and the medians."""
    from ..checks.ratios import csv_rows
    return csv_text(csv_rows(ratio_parts(records)))


def ratio_parts(records: list[dict]) -> dict[str, dict]:
    return {r.get("short_name") or r["display"]: r["ratios"] for r in records
            if r["status"] in ("ok", "errors") and r.get("ratios")}


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
              f'<td class="num">{record.get("explained", 0)}</td>'
              if status in ("ok", "errors") or record.get("findings") else "<td></td><td></td><td></td>")
    return (f'<tr class="{status}"><td class="num">{number}</td><td>{escape(name)}{demo}</td>'
            f'<td class="status">{STATUS_WORDS[status]}</td>{counts}'
            f'<td>{_link(outputs.get("review"), "审阅版")}</td><td>{_link(outputs.get("public"), "公开版")}</td>'
            f'<td>{_link(outputs.get("pdf"), "PDF")}</td><td>{_link(outputs.get("docx"), "Word")}</td>'
            f'<td class="reason">{escape(record.get("message") or "")}</td></tr>')


def copied_list(records: list[dict], name=None) -> str:
    """The narrative.copied findings as a list: which unit's section is nearly the same as whose."""
    from ..checks.copied import SECTIONS
    items = []
    for record in records:
        for f in record.get("findings", []):
            if f["rule"] == "narrative.copied":
                unit = name(record) if name else record.get("short_name") or record["display"]
                heading = SECTIONS.get(f["row"], (f["row"],))[0]
                state = "（已说明）" if f.get("review") else ""
                items.append(f"<li>{escape(unit)}「{escape(heading)}」与{escape(str(f['expected']))}"
                             f"基本相同，相同文字占{escape(str(f['actual']))}{state}</li>")
    if not items:
        return ""
    return f'<ul class="copied">{"".join(items)}</ul>'


def share_meta(title: str, description: str) -> str:
    """What a shared link shows under the page's title (chat apps and portals read Open Graph)."""
    return (f'<meta name="description" content="{escape(description)}">\n'
            '<meta property="og:type" content="website">\n'
            f'<meta property="og:title" content="{escape(title)}">\n'
            f'<meta property="og:description" content="{escape(description)}">\n'
            f'<meta property="og:locale" content="zh_CN">\n')


def index_description(county: str, year: int | str, records: list[dict]) -> str:
    return (f"{county}{year}年各乡镇（街道）政府信息公开工作年度报告：共{len(records)}个单位"
            f"（{status_counts(records)}），每个单位的公开版、审阅版和检查结果。")


def jumps_list(records: list[dict]) -> str:
    """The trend.jump findings, each with its unit: the sudden changes a reviewer asks about first."""
    items = [f"<li>{escape(record.get('short_name') or record['display'])}：{escape(f['message'])}"
             f"{'（已说明）' if f.get('review') else ''}</li>"
             for record in records for f in record.get("findings", []) if f["rule"] == TREND_JUMP]
    return f'<ul class="jumps">{"".join(items)}</ul>' if items else ""


def index_html(county: str, year: int | str, records: list[dict], summary: bool) -> str:
    title = f"{county}{year}年政府信息公开工作年度报告（各乡镇、街道）"
    overview = status_counts(records)
    banner = (f'<p class="demo-banner">{DEMO_WORDS}：标注的单位使用示例数据，不是真实报告</p>'
              if any(r.get("demo") for r in records) else "")
    links = " · ".join(x for x in (_link("summary.html", "全县汇总") if summary else "",
                                    _link("findings.csv", "全部检查结果（CSV）"),
                                    _link("ratios.csv", "评估指标（CSV）")) if x)
    rows = "".join(_row(i, r) for i, r in enumerate(records, start=1))
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n{share_meta(title, index_description(county, year, records))}"
            f"<style>{CSS}{SITE_CSS}</style>\n</head>\n<body>\n"
            f"{NAV_SLOT}\n"          # home and the county's other years: filled by site.py
            f"{banner}<h1>{escape(title)}</h1>\n<p>共{len(records)}个单位：{overview}。{links}</p>\n"
            f"{search_box('../../')}"
            f"<table><thead><tr><th>序号</th><th>单位</th><th>状态</th><th>错误</th><th>提醒</th><th>已说明</th>"
            f"<th colspan=\"4\">报告</th><th>说明</th></tr></thead>\n<tbody>{rows}</tbody></table>\n"
            f"<p>错误、提醒只计未说明的检查结果；审核人已说明的计入“已说明”。</p>\n"
            + (f"<h2>内容雷同（narrative.copied）</h2>\n{copied}\n" if (copied := copied_list(records)) else "")
            + (f"<h2>主要指标与上年相比变化很大（{TREND_JUMP}）</h2>\n{jumps}\n" if (jumps := jumps_list(records)) else "")
            + "</body>\n</html>\n")


def write_index(folder, county: str, year, records: list[dict], summary: bool) -> None:
    atomic_write(folder / "findings.csv", findings_csv(records))
    atomic_write(folder / "ratios.csv", ratios_csv(records))
    atomic_write(folder / "index.html", index_html(county, year, records, summary))
