"""A county-year's index page and findings.csv, built from the unit records of run.json.

Plain Python (no pandas): these are rebuilt on every run, also when every unit was skipped.
The page (render/templates/site/county_index.html) follows the reports' rules: nothing loaded
from a network, every name escaped (an autoescaping template).
"""
from __future__ import annotations

import csv
import io
import re
from html import escape

from markupsafe import Markup

from ..io.files import atomic_write
from ..model.findings import COLUMNS
from .nav import NAV_SLOT
from .search import search_box
from .templating import href, page

# checks.trends.RULE, spelled here: importing checks would load pandas into the client, which an
# unchanged rerun never needs (tests/test_batch.py)
TREND_JUMP = "trend.jump"

STATUS_WORDS = {"ok": "通过", "errors": "有错误", "failed": "生成失败", "unusable": "无法使用"}
DEMO_WORDS = "示例数据（非真实）"


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


PAGES = (("review", "审阅版"), ("public", "公开版"), ("pdf", "PDF"), ("docx", "Word"))


def _row(record: dict) -> dict:
    """What the index's template shows of a unit."""
    status = record["status"]
    outputs = record.get("outputs") or {}
    counted = status in ("ok", "errors") or record.get("findings")
    return {"status": status, "status_words": STATUS_WORDS[status], "demo": record.get("demo"),
            "name": record.get("short_name") or record["display"], "message": record.get("message") or "",
            "counts": (record["errors"], record["warnings"], record.get("explained", 0)) if counted else None,
            "pages": [(text, href(outputs[kind]) if outputs.get(kind) else None) for kind, text in PAGES]}


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
    links = ([("全县汇总", "summary.html")] if summary else []) + [
        ("全部检查结果（CSV）", "findings.csv"), ("评估指标（CSV）", "ratios.csv")]
    return page("county_index.html", internal=True, title=title,
                description=index_description(county, year, records),
                nav=Markup(NAV_SLOT),          # home and the county's other years: filled by site.py
                demo=any(r.get("demo") for r in records), demo_words=DEMO_WORDS, overview=status_counts(records),
                records=records, links=links, search=search_box("../../"), rows=[_row(r) for r in records],
                copied=Markup(copied_list(records)), jumps=Markup(jumps_list(records)), trend_jump=TREND_JUMP)


def write_index(folder, county: str, year, records: list[dict], summary: bool) -> None:
    atomic_write(folder / "findings.csv", findings_csv(records))
    atomic_write(folder / "ratios.csv", ratios_csv(records))
    atomic_write(folder / "index.html", index_html(county, year, records, summary))
