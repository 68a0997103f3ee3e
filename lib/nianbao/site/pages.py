"""`nianbao export EXECUTED.ipynb [--out DIR]`: the files of any executed township notebook
(e.g. run by hand with papermill), made by the same function as `nianbao run` (export_files):
the same bytes for the same data."""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import display_path
from ..io.files import atomic_write
from .paths import safe_component


def run_export(notebook: str, out: str | None) -> int:
    import nbformat

    from ..notebook.export import export_files, header_meta
    path = Path(notebook)
    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        print(f"{display_path(path)}：文件不存在", file=sys.stderr)
        return 2
    except Exception as exc:          # not JSON, not a notebook
        print(f"{display_path(path)}：不是可读取的 Jupyter 笔记本（{type(exc).__name__}）", file=sys.stderr)
        return 2
    header = header_meta(nb)
    if not header:
        print(f"{display_path(path)}：不是已运行的年度报告笔记本（没有找到报告标题的输出；"
              f"请先用 papermill 运行 notebooks/township_report.ipynb）", file=sys.stderr)
        return 2
    folder = Path(out) if out else path.parent
    stem = folder.resolve() / safe_component(header["short_name"], "简称")
    files, problems = export_files(nb, header["title"])
    for suffix, content in files.items():
        atomic_write(stem.parent / f"{stem.name}{suffix}", content)
        print(display_path(stem.parent / f"{stem.name}{suffix}"))
    for problem in problems:          # the pages are written; the PDF or the Word file is not
        print(f"{display_path(path)}：{problem}", file=sys.stderr)
    return 1 if problems else 0
