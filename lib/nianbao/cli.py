"""The `nianbao` command. Exit codes: 0 all good; 1 the data has errors (or a unit failed);
2 an input is unusable (for a batch: nothing could be used, or a params file or target is
wrong — the usable ones still ran), or the output cannot be written (a full disk, a read-only
folder)."""
from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
from pathlib import Path

from . import __version__
from .errors import (EXIT_BROKEN_PIPE, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_UNUSABLE, NianbaoError,
                     display_path, unwritable)

# a write that failed where no code expected it: said as what it is (a permission error may be a read's)
WRITE_STOPPED = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def _run(args) -> int:
    from .batch.run import run
    from .errors import DataFileError, OutputBusy, OutputUnwritable
    from .io.params import resolve
    from .site.record import load_all
    signal.signal(signal.SIGTERM, _interrupt)        # stop like Ctrl-C: kernels killed, nothing partial
    # a process started in the background by a shell inherits SIGINT ignored; an interrupt sent to
    # the batch must still stop it cleanly (kernels killed, nothing partial, exit 130)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    unusable: list[DataFileError] = []      # params files and targets that cannot be used
    try:
        everyone = units = resolve(args.targets, unusable)
        for exc in unusable:                 # said now; the usable ones still run
            print(exc, file=sys.stderr)
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
        if not unusable:
            print(f"没有找到要运行的数据文件：{' '.join(args.targets) or 'params/'}", file=sys.stderr)
        return 2
    try:
        code = run(units, args.out, workers=args.workers, scheduler=args.scheduler, force=args.force,
                   timeout=args.timeout, engine=args.engine, documents=not args.pages_only,
                   peers=everyone if args.only else None)   # --only: compared with the whole county
        if unusable and code in (0, 1):
            files = "、".join(dict.fromkeys(display_path(e.problems[0].file) for e in unusable))
            print(f"另有{len(unusable)}项输入（参数文件、数据文件或文件夹）无法使用，没有运行：{files}（原因见上）；其余的已运行。",
                  file=sys.stderr)
            return 2
        return code
    except OutputBusy as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except OutputUnwritable as exc:      # the batch stops: every file written so far is whole
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        print(f"{exc}。已停止：写好的报告和以前的报告都完好保留，再次运行时接着生成其余的。" if full else exc,
              file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:            # while the county pages were written: each file is whole
        from .notebook.pool import kill_descendants
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
        chosen = list({reviews.key(f): f for target in args.accept     # a finding named twice: once
                       for f in reviews.matching(checked.findings, target)}.values())
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
    from .notebook.lab import start_lab
    return start_lab(args.lab_args)


def _export(args) -> int:
    from .site.pages import run_export
    return run_export(args.notebook, args.out)


def _publish(args) -> int:
    from .site.publish import run_publish
    return run_publish(args.out, args.site)


# --- Bringing data in: the Excel workbook and published reports (handlers in their modules) ---
def _template(args) -> int:
    from .documents.workbook import run_template
    return run_template(args)


def _import(args) -> int:
    from .importer.published import run_import
    return run_import(args)


def _intake_commands(sub) -> None:
    template = sub.add_parser("template", help="生成供填报的 Excel 填报表（官方表格样式，自动核对）",
                              description="生成供填报的 Excel 填报表（官方表格样式，自动核对）。")
    template.add_argument("--edition", choices=("2019", "2021"), help="表格格式版本")
    template.add_argument("--from", dest="source", metavar="数据文件", help="用已有的数据文件（.yaml、.xlsx）填好")
    template.add_argument("-o", "--output", metavar="文件", help="要生成的填报表（.xlsx）")
    template.set_defaults(func=_template)

    imp = sub.add_parser("import", help="把已公开发布的年度报告（文本、网页、Word 或 PDF）转为数据文件（.yaml）",
                         description="把已公开发布的年度报告（文本、网页、Word 或 PDF）转为数据文件（.yaml）。")
    imp.add_argument("published", metavar="已发布的报告", help="报告的文本、网页、Word 或 PDF 文件：.txt、.html、.docx、.doc、.pdf")
    imp.add_argument("-o", "--output", metavar="文件", help="要写入的数据文件（默认：输出到屏幕）")
    for option, what in (("--unit", "发布机关"), ("--short-name", "简称"), ("--county", "所属县（区）"),
                         ("--level", "层级：township|subdistrict|county|department")):
        imp.add_argument(option, help=f"{what}（以此为准，不用页面上的）")
    imp.set_defaults(func=_import)
# --- end of the intake commands ---


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1 or len(text) > 6:
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


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


ARGPARSE_WORDS = ((r"^the following arguments are required: ", "缺少必需的参数："),
                  (r"^unrecognized arguments: ", "无法识别的参数："),
                  (r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$", r"参数 \1：无效的选择 \2（可选：\3）"),
                  (r"^argument (\S+): expected one argument$", r"参数 \1：后面应跟一个值"),
                  (r"^argument (\S+): invalid \S+ value: (.*)$", r"参数 \1：无效的值 \2"),
                  (r"^argument (\S+): ", r"参数 \1："))


class _Parser(argparse.ArgumentParser):
    """argparse with every word a user sees in Chinese (its own texts are English)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "位置参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助后退出")

    def error(self, message):
        import re
        for pattern, words in ARGPARSE_WORDS:
            message, done = re.subn(pattern, words, message)
            if done:
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="nianbao", description="政府信息公开工作年度报告：数据、检查、报告。",
                                  epilog="退出码：0 全部正常；1 数据有错误或有单位生成失败；2 输入无法使用；130 已中断。")
    top.add_argument("--version", action="version", version=f"nianbao {__version__}", help="显示版本号后退出")
    sub = top.add_subparsers(dest="command", required=True, metavar="命令")

    run = sub.add_parser("run", help="批量生成：params/（或指定目标）中每个单位的报告 → output/",
                         description="批量生成每个单位的年度报告，以及每个县、每个年度的索引、检查结果、汇总和公开数据；"
                                     "输出文件夹即一个网站：首页（index.html）可查找单位，各页之间用相对链接，"
                                     "可直接拷贝或上传发布。")
    run.add_argument("targets", nargs="*", metavar="目标",
                     help="参数文件、数据文件，或含有它们的文件夹（默认：params/）")
    run.add_argument("--out", default="output", metavar="文件夹", help="输出文件夹（默认：output）")
    run.add_argument("--only", action="append", metavar="名称", help="只生成这个单位（数据文件名或简称）；可多次使用")
    run.add_argument("--workers", type=_positive_int, metavar="N", help="同时生成的报告数（默认：每个 CPU 核一个）")
    run.add_argument("--scheduler", metavar="地址",
                     help="在 Dask 集群上运行（如 tcp://host:8786），或 local 表示本机的 LocalCluster")
    run.add_argument("--force", action="store_true", help="全部重新生成，不论数据是否变化")
    run.add_argument("--timeout", type=_positive_float, default=600.0, metavar="秒",
                     help="一个单位超过这个时间即停止，记为生成失败（默认：600）")
    run.add_argument("--engine", choices=("fork", "kernel"),
                     help="fork（默认，Dask 上也是）：每个笔记本在预热进程的子进程中运行，较快；"
                          "kernel：每个笔记本启动一个新的 Jupyter 内核")
    run.add_argument("--pages-only", action="store_true",
                     help="只生成网页（审阅版和公开版），不生成PDF和Word文件：更快，适合反复核对数据时")
    run.set_defaults(func=_run)

    check = sub.add_parser("check", help="检查一个数据文件，列出发现的问题",
                           description="检查一个数据文件（勾稽关系等），列出发现的问题。")
    check.add_argument("data", metavar="数据文件", help="数据文件（.yaml、.xlsx）")
    check.add_argument("--previous", metavar="数据文件",
                       help="同一单位上一年度的数据文件（默认：在同一数据目录中查找 <县>/<上一年>/<同名文件>）")
    check.add_argument("--json", action="store_true", help="以 JSON 数组输出检查结果")
    check.add_argument("--deadline", type=_date, metavar="日期",
                       help="本县规定的乡镇（街道）报告公布期限（如 2021-01-31）")
    check.set_defaults(func=_check)

    review = sub.add_parser("review", help="审核意见：把检查结果标为“已说明”（记在数据旁的 reviews.yaml）",
                            description="审核意见：把检查结果标为“已说明”（记在数据旁的 reviews.yaml）。")
    review.add_argument("data", metavar="数据文件", help="要说明其检查结果的数据文件（.yaml、.xlsx）")
    review.add_argument("--accept", action="append", required=True, metavar="规则[@单元格]",
                        help="要说明的检查结果：规则名，以及 check 显示的单元格（表.行.列）；可多次使用")
    review.add_argument("--note", required=True, metavar="说明", help="为什么这一结果是对的（与它一起显示）")
    review.add_argument("--by", metavar="姓名", help="审核人（默认：登录名）")
    review.add_argument("--deadline", type=_date, metavar="日期", help="同 check 的 --deadline")
    review.set_defaults(func=_review)

    _intake_commands(sub)

    lab = sub.add_parser(
        "lab", help="在 JupyterLab 中打开报告笔记本（项目目录为根目录，使用 nianbao 内核）",
        description="在 JupyterLab 中打开 notebooks/township_report.ipynb。其余选项原样交给 JupyterLab，"
                    "例如：nianbao lab --port 8899 --no-browser。以 root 身份运行时自动加上 --allow-root。")
    lab.set_defaults(func=_lab, lab_args=[])

    export = sub.add_parser("export", help="把已运行的报告笔记本导出为审阅版和公开版网页（与 nianbao run 相同）")
    export.add_argument("notebook", help="已运行的笔记本（.ipynb），例如 papermill 的输出")
    export.add_argument("--out", help="网页写到这个目录（默认：笔记本所在目录）")
    export.set_defaults(func=_export)

    publish = sub.add_parser(
        "publish", help="生成公开网站：从 nianbao run 的输出文件夹复制可公开的部分（不含审阅版和检查结果）",
        description="从 nianbao run 的输出文件夹（内部审阅网站）生成可上传到政府网站的公开网站：首页和查找、"
                    "各县各年度的单位列表、每个单位的公开版网页、PDF、Word文件和公开数据。"
                    "不含审阅版、笔记本、运行记录、检查结果和评估指标；数据仍有未说明错误的单位不发布，并逐个列出。"
                    "再次运行只改写有变化的文件，输出文件夹中已没有的单位会从公开网站删除。",
        epilog="退出码：0 全部单位已发布；1 有单位未发布（原因已列出）；2 输入无法使用。")
    publish.add_argument("out", metavar="输出文件夹", help="nianbao run 的输出文件夹（如 output）")
    publish.add_argument("site", metavar="公开网站文件夹", help="公开网站写到这个文件夹（不能在输出文件夹之内）")
    publish.set_defaults(func=_publish)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["lab"] and not {"-h", "--help"} & set(argv[1:]):
        # everything after `lab` is JupyterLab's (argparse would refuse `--port 8899`)
        return _lab(argparse.Namespace(lab_args=argv[1:]))
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()                # here, where a reader that went away is caught
        return code
    except NianbaoError as exc:           # a user error no command caught itself
        print(exc, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:               # the reader stopped reading (`… | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # nothing left to flush at exit
        return EXIT_BROKEN_PIPE
    except Exception as exc:              # a bug: one line the user can pass on, not a traceback
        if isinstance(exc, OSError) and exc.filename and exc.errno in WRITE_STOPPED:
            print(unwritable(exc), file=sys.stderr)      # not a bug: the disk's or the folder's state
            return EXIT_UNUSABLE
        print(f"程序内部错误（{type(exc).__name__}: {str(exc)[:500]}）；请把这行信息和所用的文件交给维护人员",
              file=sys.stderr)
        return EXIT_FINDINGS


if __name__ == "__main__":
    sys.exit(main())
