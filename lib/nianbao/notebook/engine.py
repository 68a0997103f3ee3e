"""papermill engine "nianbao-fork": each notebook runs in a child forked from this warm process.

A fresh Jupyter kernel per township spends most of its time starting Python and importing
pandas and matplotlib again. Here the calling process imports them once (`warm()`), and every
notebook runs in a child made by os.fork(): it starts with those modules loaded and dies after
its notebook, so nothing a township's code does — variables, matplotlib settings, patched
modules, a crash — outlives it. Outputs are collected as ipykernel would send them
(inprocess.py) and come back cell by cell over a pipe, so papermill's NotebookExecutionManager
fills in the same metadata and raises the same PapermillExecutionError as with a kernel.

A dead child raises nbclient's DeadKernelError, a cell running longer than the timeout
nbclient's CellTimeoutError (the child is killed), as on the kernel path.

Forking is safe only from a process with a single thread: call this engine from the main
thread of a CLI or of a process-pool worker, not from a multi-threaded server.
"""
from __future__ import annotations

import faulthandler
import gc
import os
import signal
from contextlib import suppress
from functools import cache
from multiprocessing.connection import Connection, Pipe

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.engines import Engine, papermill_engines

from .pool import die_with_parent

NAME = "nianbao-fork"


_FRESH_SETTINGS: dict = {}         # matplotlib's rcParams as a fresh kernel has them (warm)


@cache
def warm() -> None:
    """Import and build, once, what every notebook needs, so forked children start with it.
    Only imports and caches: a notebook sees the same settings as in a fresh kernel."""
    import matplotlib
    from ipykernel.ipkernel import IPythonKernel  # noqa: F401  (language_info, jsonutil)

    from ..render import fonts, sections  # noqa: F401  (pandas, matplotlib, IPython)
    from . import export  # noqa: F401  (pandas, matplotlib, IPython)
    from . import inprocess
    for page in export.PAGES:
        export.exporter(page)
    from ..render import labstyle  # noqa: F401
    from . import audit  # noqa: F401
    labstyle.lab_style()
    # What every child would otherwise do again: find matplotlib's backends (entry points) to
    # accept the kernel's inline backend, and build the IPython shell the notebook runs in.
    matplotlib.rcsetup.validate_backend(inprocess.INLINE_BACKEND)
    inprocess.prepare_shell()
    # Reading the CJK font file and its glyphs is the slow part of a first chart, and a chart's
    # way to the page (drawn at print size, cropped, encoded: render/png.py) has its own first
    # time: go it once here with a chart as the notebook draws one, then put matplotlib's
    # settings back so each notebook selects its font as in a kernel.
    with matplotlib.rc_context():
        import pandas as pd
        from ..render import charts
        labels = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "予以公开"]
        charts.figure_html(charts.bars(pd.Series(range(len(labels)), index=labels)), 1, "预热")
    # A fresh kernel's matplotlib settings, once, here (16 ms): children start with them —
    # the rc file's, then the CJK font the kernel's startup selects (inprocess.new_shell)
    matplotlib.rc_file_defaults()
    _fresh_settings()
    _FRESH_SETTINGS.update(dict.items(matplotlib.rcParams))
    # Objects that survive to here are the warm state: keep the garbage collector from
    # touching them, or every child would copy their pages (copy-on-write) to update GC flags.
    gc.collect()
    gc.freeze()


class ForkEngine(Engine):
    """Runs the notebook in a forked child; see the module docstring."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, start_timeout=60, execution_timeout=None,
                                 **kwargs):
        warm()
        _settings_as_fresh()
        timeout = execution_timeout or kwargs.get("timeout")
        receive, send = Pipe(duplex=False)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:                                # the child: never returns
            receive.close()
            _child(nb_man.nb, send, parent)
        send.close()
        finished = False
        try:
            _follow(nb_man, receive, pid, start_timeout, timeout)
            finished = True
        finally:
            receive.close()
            _reap(pid, kill=not finished)
        from ipykernel.ipkernel import IPythonKernel
        nb_man.nb.metadata["language_info"] = dict(IPythonKernel.language_info)
        return nb_man.nb


def _settings_as_fresh() -> None:
    """The parent's matplotlib settings as warm() left them (a fresh kernel's), checked before
    each fork: put back only if something in this process changed them since."""
    import matplotlib
    if dict(dict.items(matplotlib.rcParams)) != _FRESH_SETTINGS:
        matplotlib.rc_file_defaults()
        _fresh_settings()


def _fresh_settings() -> None:
    """What a kernel's start does to matplotlib's rc file settings: its startup selects the CJK font."""
    from ..render import fonts
    fonts.use_cjk_font.cache_clear()
    fonts.cjk_for_every_figure()


def _child(nb: nbformat.NotebookNode, send: Connection, parent: int) -> None:
    status = 0
    try:
        die_with_parent(parent)                # never run on as an orphan
        faulthandler.disable()                 # a kernel has none: a crash is reported, not dumped
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stdin = os.open(os.devnull, os.O_RDONLY)  # no kernel can read a terminal either
        os.dup2(stdin, 0)
        from .inprocess import run_cells
        for message in run_cells(nb):
            send.send(message)
        send.send(("end", -1, {}))
    except BaseException as exc:               # the machinery itself failed: say so, then die
        status = 1
        try:
            send.send(("broken", -1, {"error": f"{type(exc).__name__}: {exc}"}))
        except BaseException:
            pass
    finally:
        os._exit(status)                       # no atexit, no return into the parent's stack


def _receive(receive: Connection, pid: int, seconds: float | None, cell) -> tuple[str, int, dict]:
    if not receive.poll(seconds):
        _kill(pid)
        raise CellTimeoutError.error_from_timeout_and_cell(
            "Cell execution timed out", seconds, cell)
    try:
        return receive.recv()
    except EOFError:                           # the child is dead, or as good as dead: make sure
        _kill(pid)
        raise DeadKernelError(f"Kernel died ({_exit_reason(pid)})") from None


def _follow(nb_man, receive: Connection, pid: int, start_timeout: float, timeout: float | None):
    """Mirror papermill's cell loop with the child's messages."""
    from .inprocess import runnable
    first = True
    for index, cell in enumerate(nb_man.nb.cells):
        nb_man.cell_start(cell, index)
        try:
            if not runnable(cell):
                continue
            _expect(("start", index), receive, pid, start_timeout if first else timeout, cell)
            first = False
            result = _expect(("done", index), receive, pid, timeout, cell)
            cell.outputs = [nbformat.from_dict(o) for o in result["outputs"]]
            cell.execution_count = result["execution_count"]
            cell.metadata["execution"] = result["execution"]
            if not result["ok"] and "raises-exception" not in cell.metadata.get("tags", []):
                nb_man.cell_exception(cell, cell_index=index)
                break
        finally:
            nb_man.cell_complete(cell, cell_index=index)
    _expect(("end", -1), receive, pid, start_timeout if first else timeout, None)


def _expect(what: tuple[str, int], receive: Connection, pid: int, seconds: float | None, cell) -> dict:
    kind, index, content = _receive(receive, pid, seconds, cell)
    if kind == "broken":
        raise DeadKernelError(f"Kernel died: {content['error']}")
    if (kind, index) != what:
        raise DeadKernelError(f"Kernel out of step: expected {what}, got {(kind, index)}")
    return content


def _exit_reason(pid: int) -> str:
    """How the child ended; it stays a zombie (WNOWAIT) for _reap, so its pid is not reused."""
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    if info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
        return f"signal {signal.Signals(info.si_status).name}"
    return f"exit code {info.si_status}"


def _kill(pid: int) -> None:
    with suppress(ProcessLookupError):         # a zombie (not yet reaped) can be signalled
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int, kill: bool) -> None:
    """Collect the child's exit status, killing it first when its notebook was abandoned."""
    if kill:
        _kill(pid)
    os.waitpid(pid, 0)


papermill_engines.register(NAME, ForkEngine)
