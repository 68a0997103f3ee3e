"""The `nianbao` command. Exit codes: 0 all good; 1 the data has errors; 2 an input is unusable."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .findings import findings_frame
from .io.problems import display_path


def _run(args) -> int:
    from .runner import DEFAULT_ENGINE, EXIT_CODES, run_one
    worst = 0
    for i, path in enumerate(args.data, start=1):
        outcome = run_one(path, args.out, engine=args.engine or DEFAULT_ENGINE)
        worst = max(worst, EXIT_CODES[outcome.status])
        errors = sum(f.severity == "error" for f in outcome.findings)
        warnings = len(outcome.findings) - errors
        if outcome.outputs:
            print(f"[{i}/{len(args.data)}] {path} → {display_path(outcome.outputs[1])}  "
                  f"错误{errors}项，提醒{warnings}项，{outcome.seconds:.1f}秒", file=sys.stderr)
        else:
            print(f"[{i}/{len(args.data)}] {outcome.message}", file=sys.stderr)
    return worst


def _check(args) -> int:
    from .checks import run_checks
    from .findings import has_errors
    from .io import DataFileError, read_report
    try:
        report = read_report(args.data)
    except DataFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    findings = run_checks(report)
    if args.json:
        json.dump([f.record() for f in findings], sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    elif findings:
        frame = findings_frame(findings)
        for _, f in frame.iterrows():
            print(f"{'错误' if f.severity == 'error' else '提醒'}  {f.rule}  {f.message}")
    else:
        print(f"{args.data}：全部检查通过")
    return 1 if has_errors(findings) else 0


def _lab(args) -> int:
    from .runner import NOTEBOOK
    cmd = ["jupyter", "lab", str(NOTEBOOK.relative_to(NOTEBOOK.parents[1]))]
    os.chdir(NOTEBOOK.parents[1])
    os.execvp(cmd[0], cmd + args.lab_args)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告：数据、检查、报告。")
    top.add_argument("--version", action="version", version=f"nianbao {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the report notebook for data files, write HTML to output/")
    run.add_argument("data", nargs="+", help="data files (.yaml)")
    run.add_argument("--out", default="output", help="output folder (default: output)")
    run.add_argument("--engine", choices=("fork", "kernel"),
                     help="fork (default): each notebook in a child of a warm process, fast; "
                          "kernel: a fresh Jupyter kernel per notebook")
    run.set_defaults(func=_run)

    check = sub.add_parser("check", help="check one data file; print its findings")
    check.add_argument("data", help="a data file (.yaml)")
    check.add_argument("--json", action="store_true", help="findings as a JSON array on stdout")
    check.set_defaults(func=_check)

    lab = sub.add_parser("lab", help="open the report notebook in JupyterLab")
    lab.add_argument("lab_args", nargs=argparse.REMAINDER)
    lab.set_defaults(func=_lab)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
