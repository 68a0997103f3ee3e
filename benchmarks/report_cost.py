"""What one report costs: the whole `run_one` (notebook, export, writes) and its parts.

Prints seconds per report and each part's share; ratios, not absolute seconds, are what to compare
on a noisy 2-core machine. Usage: python benchmarks/report_cost.py [--runs N]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from timing import median_time

from nianbao.batch.unit import run_one
from nianbao.checks import run_checks
from nianbao.io import read_report
from nianbao.notebook.export import export_pages
from nianbao.notebook.runner import execute
from nianbao.render import charts, sections

SEED = Path(__file__).resolve().parents[1] / "data" / "商水县" / "2020" / "姚集镇.yaml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as out:
        run_one(SEED, out)                                         # warm the caches once
        whole, _ = median_time(lambda: run_one(SEED, out), runs)
        read, report = median_time(lambda: read_report(SEED), runs)
        check, _ = median_time(lambda: run_checks(report), runs)
        draw, _ = median_time(lambda: charts.all_charts(report), runs)
        page, _ = median_time(lambda: [sections.table(report, t, []) for t in ("proactive", "requests", "appeals")], runs)
        kernel, nb = median_time(lambda: execute(SEED.resolve(), engine="kernel"), runs)
        fork, _ = median_time(lambda: execute(SEED.resolve(), engine="fork"), runs)
        export, _ = median_time(lambda: export_pages(nb, report.title), runs)
    print(f"report cost, median of {runs} runs of the seed (姚集镇 2020)")
    print(f"  whole report (nianbao.batch.unit.run_one)   {whole:7.3f} s   1.00")
    for name, t in [("  papermill: kernel start + notebook", kernel), ("  papermill: fork engine + notebook", fork),
                    ("  nbconvert: two HTML pages", export),
                    ("  read YAML", read), ("  checks", check), ("  charts (3 PNG)", draw), ("  tables HTML", page)]:
        print(f"{name:42s}{t:7.3f} s   {t / whole:4.2f}")


if __name__ == "__main__":
    main()
