"""The `nianbao` command. Exit codes: 0 all good; 1 the data has errors (or a unit failed);
2 an input is unusable (for a batch: nothing could be used, or a params file is wrong)."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .errors import display_path


def _run(args) -> int:
    from .batch.params import resolve
    from .batch.record import load_all
    from .batch.run import run
    from .errors import DataFileError
    signal.signal(signal.SIGTERM, _interrupt)        # stop like Ctrl-C: kernels killed, nothing partial
    try:
        units = resolve(args.targets)
        if args.only:
            from .batch.run import select
            units = select(units, args.only, load_all(Path(args.out)))
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except LookupError as exc:
        print(f"--only：找不到单位“{exc.args[0]}”（按数据文件名或简称查找）", file=sys.stderr)
        return 2
    if not units:
        print(f"没有找到要运行的数据文件：{' '.join(args.targets) or 'params/'}", file=sys.stderr)
        return 2
    try:
        return run(units, args.out, workers=args.workers, scheduler=args.scheduler, force=args.force,
                   timeout=args.timeout, engine=args.engine)
    except KeyboardInterrupt:            # while the county pages were written: each file is whole
        from .batch.pool import kill_descendants
        kill_descendants()
        print("已中断。", file=sys.stderr)
        return 130


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _shown(value) -> str:
    return "（空）" if value is None else str(value)


def _check(args) -> int:
    from .checks import check_file
    from .errors import DataFileError, PreviousFileError
    from .model.findings import has_errors
    try:
        checked = check_file(args.data, args.previous, county_deadline=args.deadline)
    except PreviousFileError as exc:
        print(f"上一年度的数据文件无法使用：\n{exc}", file=sys.stderr)
        return 2
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    findings, skipped = checked.findings, checked.coverage.skipped_note()
    if args.json:
        json.dump([f.record() for f in findings], sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
        if skipped:
            print(f"{skipped}。", file=sys.stderr)
        return 1 if has_errors(findings) else 0
    for f in sorted(findings, key=lambda f: f.severity != "error"):     # errors first, as found
        where = ".".join(p for p in (f.table, f.row, f.column) if p is not None)
        values = "" if f.expected is None and f.actual is None else \
            f"  应为 {_shown(f.expected)}，实际 {_shown(f.actual)}"
        print(f"{'错误' if f.severity == 'error' else '提醒'}  {f.rule}  {where}{values}\n      {f.message}")
        if f.review:
            print(f"      已说明（{f.review['by']}，{f.review['at']}）：{f.review['note']}")
    errors = sum(f.severity == "error" and not f.review for f in findings)
    explained = sum(bool(f.review) for f in findings)
    verdict = (f"错误{errors}项，提醒{len(findings) - errors - explained}项"
               + (f"，已说明{explained}项" if explained else "") if findings
               else f"全部{len(checked.coverage.ran)}项检查通过（{'、'.join(checked.coverage.ran)}）")
    print(f"{display_path(args.data)}：{verdict}。" + (f"{skipped}。" if skipped else ""))
    return 1 if has_errors(findings) else 0


def _review(args) -> int:
    from .checks import check_file, reviews
    from .errors import DataFileError
    try:
        checked = check_file(args.data, county_deadline=args.deadline)
        chosen = [f for target in args.accept for f in reviews.matching(checked.findings, target)]
        if not chosen:
            open_ = sorted({f"{f.rule}@{f.cell}" if f.cell else f.rule for f in checked.findings if not f.review})
            print(f"{display_path(args.data)}：没有与“{'、'.join(args.accept)}”相符的未说明检查结果。"
                  + (f"现有：{'、'.join(open_)}" if open_ else "现在没有未说明的检查结果。"), file=sys.stderr)
            return 2
        path = reviews.record(args.data, chosen, args.note, args.by)
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    for f in chosen:
        print(f"已说明  {f.rule}  {f.cell}  {f.message}")
    print(f"已记录{len(chosen)}条审核意见：{display_path(path)}（数值改变后自动重新打开）。")
    return 0


def _date(text: str):
    import datetime as dt
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为日期（如 2021-01-31），实际为“{text}”") from None


def _lab(args) -> int:
    from .batch.runner import NOTEBOOK
    cmd = ["jupyter", "lab", str(NOTEBOOK.relative_to(NOTEBOOK.parents[1]))]
    os.chdir(NOTEBOOK.parents[1])
    os.execvp(cmd[0], cmd + args.lab_args)


# --- Bringing data in: the Excel workbook and published reports (handlers in their modules) ---
def _template(args) -> int:
    from .io.workbook import run_template
    return run_template(args)


def _import(args) -> int:
    from .io.published import run_import
    return run_import(args)


def _intake_commands(sub) -> None:
    template = sub.add_parser("template", help="write the Excel workbook clerks fill (official form, live checks)")
    template.add_argument("--edition", choices=("2019", "2021"), help="layout edition of the form")
    template.add_argument("--from", dest="source", help="fill it from a data file (.yaml, .xlsx)")
    template.add_argument("-o", "--output", help="workbook to write (.xlsx)")
    template.set_defaults(func=_template)

    imp = sub.add_parser("import", help="a published report (text or HTML page) → a data file (.yaml)")
    imp.add_argument("published", help="the published report: .txt, .html")
    imp.add_argument("-o", "--output", help="data file to write (default: standard output)")
    for option, what in (("--unit", "publishing organ"), ("--short-name", "short name"),
                         ("--county", "county"), ("--level", "township|subdistrict|county|department")):
        imp.add_argument(option, help=f"{what} (overrides what the page says)")
    imp.set_defaults(func=_import)
# --- end of the intake commands ---


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数，实际为“{text}”")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not value > 0:
        raise argparse.ArgumentTypeError(f"应为正数（秒），实际为“{text}”")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告：数据、检查、报告。")
    top.add_argument("--version", action="version", version=f"nianbao {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="the batch: reports of every unit of params/ (or of the targets) → output/")
    run.add_argument("targets", nargs="*", help="params files, data files, or folders of either (default: params/)")
    run.add_argument("--out", default="output", help="output folder (default: output)")
    run.add_argument("--only", action="append", metavar="NAME", help="only this unit (file name or short name); repeatable")
    run.add_argument("--workers", type=_positive_int, help="parallel reports (default: one per core)")
    run.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786), or 'local' for a LocalCluster")
    run.add_argument("--force", action="store_true", help="rebuild every unit, changed or not")
    run.add_argument("--timeout", type=_positive_float, default=600.0, metavar="SECONDS",
                     help="stop a unit that takes longer and record it as failed (default: 600)")
    run.add_argument("--engine", choices=("fork", "kernel"),
                     help="fork (default, also on Dask): each notebook in a child of a warm "
                          "process, fast; kernel: a fresh Jupyter kernel per notebook")
    run.set_defaults(func=_run)

    check = sub.add_parser("check", help="check one data file; print its findings")
    check.add_argument("data", help="a data file (.yaml, .xlsx)")
    check.add_argument("--previous", metavar="DATA",
                       help="last year's data file of the same unit (default: found in the same "
                            "data tree, <county>/<year-1>/<same file name>)")
    check.add_argument("--json", action="store_true", help="findings as a JSON array on stdout")
    check.add_argument("--deadline", type=_date, metavar="DATE",
                       help="the county's publication deadline for township reports (e.g. 2021-01-31)")
    check.set_defaults(func=_check)

    review = sub.add_parser("review", help="a reviewer's word: mark findings as explained (reviews.yaml beside the data)")
    review.add_argument("data", help="the data file (.yaml, .xlsx) whose findings are explained")
    review.add_argument("--accept", action="append", required=True, metavar="RULE[@CELL]",
                        help="the finding: its rule, and its cell as `check` prints it (table.row.column); repeatable")
    review.add_argument("--note", required=True, help="why the finding is right as it stands (shown with it)")
    review.add_argument("--by", help="who decides (default: the login name)")
    review.add_argument("--deadline", type=_date, metavar="DATE", help="as for check")
    review.set_defaults(func=_review)

    _intake_commands(sub)

    lab = sub.add_parser("lab", help="open the report notebook in JupyterLab")
    lab.add_argument("lab_args", nargs=argparse.REMAINDER)
    lab.set_defaults(func=_lab)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
