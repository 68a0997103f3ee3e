"""A notebook's code cells run in this process, with outputs shaped as ipykernel shapes them.

The fork engine (engine.py) runs this in a forked child. An IPython InteractiveShell executes
each cell; its display hook, display publisher, traceback printer and sys.stdout/stderr are
replaced by ones that collect nbformat outputs the way ipykernel's ZMQ classes and nbclient's
`output_from_msg` do: the same mime bundles (json_clean + encode_images), the same output types,
stream text flushed before every display, execution counts from the shell.
"""
from __future__ import annotations

import atexit
import builtins
import datetime as dt
import io
import os
import sys
from collections.abc import Callable, Iterator

import nbformat
from ipykernel.compiler import XCachingCompiler
from ipykernel.jsonutil import encode_images, json_clean
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from ..render.fonts import cjk_for_every_figure

SKIP_TAG = "skip-execution"            # nbclient's default skip_cells_with_tag
ERRORS_ALLOWED_TAG = "raises-exception"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def now() -> str:
    """A timestamp as jupyter_client writes message dates."""
    return dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def output(output_type: str, **fields) -> dict:
    """An output with the keys nbformat.v4.new_output gives it, as a plain dict (the parent makes
    it a NotebookNode): not checked against the notebook schema one by one (5 ms a notebook),
    since every one is built here; the whole notebook is validated when it is written."""
    return {"output_type": output_type, **fields}


class Outputs:
    """The outputs of the cell being run, and the streams not yet flushed into them."""

    def __init__(self):
        self.items: list[dict] = []
        self.clear_pending = False

    def add(self, output: dict) -> None:
        if self.clear_pending:                # clear_output(wait=True): clear at the next output
            self.items.clear()
            self.clear_pending = False
        self.items.append(output)


class OutStream(io.TextIOBase):
    """sys.stdout / sys.stderr: text is buffered and becomes one stream output per flush,
    as ipykernel's OutStream sends one message per flush."""

    def __init__(self, name: str, outputs: Callable[[], Outputs]):
        self.name, self._outputs, self._buffer = name, outputs, []

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return "utf-8"

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._buffer.append(text)
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            text, self._buffer = "".join(self._buffer), []
            self._outputs().add(output("stream", name=self.name, text=text))


def _flush_streams() -> None:
    sys.stdout.flush()
    sys.stderr.flush()


class CollectingDisplayHook(DisplayHook):
    """The value of a cell's last expression → execute_result (ipykernel's ZMQShellDisplayHook)."""

    outputs: Callable[[], Outputs]

    def start_displayhook(self):
        self._bundle = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self._bundle = (json_clean(encode_images(format_dict)), md_dict)

    def finish_displayhook(self):
        _flush_streams()
        if self._bundle and self._bundle[0]:
            data, metadata = self._bundle
            self.outputs().add(output(
                "execute_result", data=data, metadata=metadata or {}, execution_count=self.prompt_count))
        self._bundle = None


class CollectingDisplayPublisher(DisplayPublisher):
    """display(...) → display_data (ipykernel's ZMQDisplayPublisher)."""

    outputs: Callable[[], Outputs]

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        _flush_streams()
        if update:           # update_display_data only changes a live view; the document keeps the first
            return
        self.outputs().add(output(
            "display_data", data=json_clean(encode_images(data)), metadata=metadata or {}))

    def clear_output(self, wait=False):
        _flush_streams()
        if wait:
            self.outputs().clear_pending = True
        else:
            self.outputs().items.clear()


class CollectingShell(InteractiveShell):
    """An InteractiveShell whose outputs are collected as nbformat outputs."""

    displayhook_class = CollectingDisplayHook
    display_pub_class = CollectingDisplayPublisher

    def _showtraceback(self, etype, evalue, stb):
        _flush_streams()
        self.current.add(output(
            "error", ename=str(etype.__name__), evalue=str(evalue), traceback=stb))
        self._last_traceback = stb


def kernel_like_matplotlib() -> None:
    """ipykernel makes matplotlib_inline the default backend (pyplot figures are displayed at the
    end of a cell); do the same where pyplot has not chosen a backend yet. And what the `nianbao`
    kernel's startup file does (render/startup.py): the CJK font for every figure."""
    backend = os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None and "matplotlib.pyplot" not in sys.modules:
        matplotlib.rcParams["backend"] = backend
    cjk_for_every_figure()


_config = Config()
_config.HistoryManager.enabled = False        # no sqlite file, no saving thread
_prepared: CollectingShell | None = None      # built by prepare_shell, installed by new_shell
IPYTHON_BUILTINS = ("__IPYTHON__", "display")  # what InteractiveShell.init_builtins adds


def _build_shell() -> CollectingShell:
    return CollectingShell(config=_config, compiler_class=XCachingCompiler)


def prepare_shell() -> None:
    """Build the shell in a process that forks notebooks (engine.warm), so that each forked
    child installs it (new_shell) instead of building one: ≈ 12 ms and 1,500 page faults a
    notebook. It is never run here. Building a shell makes it this process's __main__ and adds
    two builtins (a shell makes no thread, sets no hook and no singleton until installed):
    those are put back, so this process stays what it was."""
    global _prepared
    main = sys.modules.get("__main__")
    before = {name: builtins.__dict__[name] for name in IPYTHON_BUILTINS if name in builtins.__dict__}
    _prepared = _build_shell()
    atexit.unregister(_prepared.atexit_operations)
    if main is not None:
        sys.modules["__main__"] = main
    for name in IPYTHON_BUILTINS:
        builtins.__dict__.pop(name, None)
    builtins.__dict__.update(before)


def new_shell() -> CollectingShell:
    """The shell a notebook runs in, set up as a kernel's: in a forked child, the one its parent
    prepared (prepare_shell); else one built now."""
    global _prepared
    kernel_like_matplotlib()
    if _prepared is None:
        shell = _build_shell()
    else:                                      # what building it here would have done
        shell, _prepared = _prepared, None
        atexit.register(shell.atexit_operations)
        shell.init_sys_modules()               # __main__ is the notebook's namespace
        shell.init_builtins()
    # the singleton, as in a kernel: display(), get_ipython() and pyplot's inline backend find it
    for klass in type(shell)._walk_mro():
        klass._instance = shell
    shell.current = Outputs()
    shell.displayhook.outputs = shell.display_pub.outputs = lambda: shell.current
    sys.stdout = OutStream("stdout", lambda: shell.current)
    sys.stderr = OutStream("stderr", lambda: shell.current)
    return shell


def runnable(cell) -> bool:
    """The cells nbclient sends to the kernel."""
    return (cell.cell_type == "code" and cell.source.strip() != ""
            and SKIP_TAG not in cell.metadata.get("tags", []))


def run_cells(nb: nbformat.NotebookNode) -> Iterator[tuple[str, int, dict]]:
    """Run the notebook's cells in order; yields ("start", index, {}) before a cell and
    ("done", index, result) after it. Stops after a cell whose error is not allowed."""
    shell = new_shell()
    for index, cell in enumerate(nb.cells):
        if not runnable(cell):
            continue
        timing = {"iopub.status.busy": now()}
        yield "start", index, {}
        shell.current = Outputs()
        count = shell.execution_count
        timing["iopub.execute_input"] = now()
        result = shell.run_cell(cell.source, store_history=True)
        _flush_streams()
        timing["shell.execute_reply"] = timing["iopub.status.idle"] = now()
        yield "done", index, {"outputs": shell.current.items, "execution_count": count,
                              "execution": timing, "ok": result.success}
        if not result.success and ERRORS_ALLOWED_TAG not in cell.metadata.get("tags", []):
            return
