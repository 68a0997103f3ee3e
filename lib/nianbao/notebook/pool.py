"""A small process pool that can stop any task: a deadline per task, and kill on interrupt.

concurrent.futures cannot stop one running task (killing its worker breaks the whole pool), and
a notebook's kernel or forked child is a child of the worker that must die with it. Here each
worker is a long-lived, single-threaded process — a *warm server*: it imports and warms what the
tasks need as soon as it starts (before its first task arrives), then serves tasks one at a time,
so the fork engine can fork notebooks from it. A worker that overruns its deadline or dies is
killed together with everything it started and replaced.

Workers are plain subprocesses (`python -c …` with a socket inherited as a file descriptor), not
multiprocessing children: a Dask worker is a daemonic process, and multiprocessing refuses to
start children from one (dask_plugin.py keeps these servers inside Dask workers).

A worker dies with the process that started it, however that one ends (`kill -9`, the
out-of-memory killer, a closed terminal): the kernel sends it SIGKILL (Linux's parent-death
signal), and what the worker started goes with it — a forked notebook has the same signal
(engine.py), a Jupyter kernel stops itself within a second when its parent is gone (ipykernel's
parent poller). A worker never runs on, orphaned, writing nowhere.
"""
from __future__ import annotations

import collections
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any, Callable, Iterator

import psutil

SERVER = "import sys; from nianbao.notebook.pool import serve; serve(int(sys.argv[1]), int(sys.argv[2]))"
PR_SET_PDEATHSIG = 1


class WorkerLost(Exception):
    """The worker died (a crash, the out-of-memory killer) or overran its deadline."""


def kill_tree(pid: int, grace: float = 3.0) -> None:
    """Terminate a process and all its descendants (a worker and its kernel), then kill."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        try:
            proc.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)


def kill_descendants() -> None:
    for child in psutil.Process().children():
        kill_tree(child.pid, grace=1.0)


def die_with_parent(parent: int) -> None:
    """SIGKILL for this process when the thread that started it ends (Linux); `parent`, that
    thread's process id, tells whether it already has, and then this process ends at once."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:                  # it ended before the line above
            os._exit(1)


def ended(returncode: int) -> str:
    """How a worker ended, in words: a signal (the out-of-memory killer's is SIGKILL) or an exit code."""
    if returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else str(-returncode)
        return f"进程被信号 {name} 终止（可能是内存不足，或被人结束）"
    return f"进程意外退出（退出码 {returncode}）"


def serve(fd: int, parent: int = 0) -> None:
    """The worker's main: receive (task, warm), warm up at once, then run tasks until told to stop.
    `parent`: the pid of the process whose end ends this one (0: none, see Pool._start)."""
    if parent:
        die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the client decides how an interrupt ends
    conn = Connection(fd)
    try:
        task, warm = conn.recv()
    except EOFError:
        return
    if warm is not None:
        warm()
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            outcome = True, task(job)
        except Exception as exc:                      # a bug in the task: report it, keep serving
            outcome = False, f"程序内部错误（{type(exc).__name__}: {exc}）"
        try:
            conn.send(outcome)
        except OSError:                               # the client is gone: nobody to serve
            return


@dataclass
class _Worker:
    process: subprocess.Popen
    conn: Connection
    job: Any = None
    deadline: float | None = None


class Pool:
    """`run(jobs, timeout_of)` yields (job, result or WorkerLost) in the order they finish.

    `warm`, a picklable callable, runs in every worker as soon as it starts; `start()` starts the
    workers before there is work for them, so that warm-up overlaps whatever the caller does."""

    def __init__(self, task: Callable, workers: int, warm: Callable | None = None):
        self.task, self.size, self.warm = task, max(1, workers), warm
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        ours, theirs = Pipe()
        # the parent-death signal follows the starting *thread*: only the main thread lives as
        # long as this process (a Dask worker starts its servers from another one)
        parent = os.getpid() if threading.current_thread() is threading.main_thread() else 0
        process = subprocess.Popen([sys.executable, "-c", SERVER, str(theirs.fileno()), str(parent)],
                                   pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        ours.send((self.task, self.warm))
        return _Worker(process, ours)

    def start(self, workers: int | None = None) -> Pool:
        """Start workers (all of them, or up to `workers`) before there is work for them."""
        while len(self.workers) < min(self.size, self.size if workers is None else workers):
            self.workers.append(self._start())
        return self

    def _replace(self, worker: _Worker) -> _Worker:
        kill_tree(worker.process.pid)
        worker.process.wait()
        worker.conn.close()
        self.workers[self.workers.index(worker)] = new = self._start()
        return new

    def _give(self, worker: _Worker, job, limit: float | None) -> None:
        """Send a job to an idle worker; one that died while idle (the out-of-memory killer
        chooses any process) is replaced, and the job, not yet begun, goes to its replacement."""
        try:
            worker.conn.send(job)
        except OSError:
            worker = self._replace(worker)
            worker.conn.send(job)
        worker.job = job
        worker.deadline = None if limit is None else time.monotonic() + limit

    def run(self, jobs, timeout_of: Callable[[Any], float | None]) -> Iterator[tuple[Any, Any]]:
        """Jobs are taken in order; a deque given as `jobs` may grow while the results are read
        (work that becomes possible as other work finishes, e.g. a county's summary)."""
        pending = jobs if isinstance(jobs, collections.deque) else collections.deque(jobs)
        self.start(len(pending))
        while True:
            for worker in list(self.workers):
                if worker.job is None and pending:
                    job = pending.popleft()
                    self._give(worker, job, timeout_of(job))
            busy = [w for w in self.workers if w.job is not None]
            if not busy:
                return
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            ready = wait([w.conn for w in busy], timeout=wait_for)
            for worker in busy:
                job = worker.job
                if worker.conn in ready:
                    try:
                        ok, value = worker.conn.recv()
                        outcome = value if ok else WorkerLost(value)
                    except (EOFError, OSError):
                        outcome = WorkerLost(ended(worker.process.wait()))
                        self._replace(worker)
                elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                    outcome = WorkerLost(f"超过时限（{timeout_of(job):g}秒），已停止")
                    self._replace(worker)
                else:
                    continue
                worker.job = None               # (a replacement starts idle)
                yield job, outcome
            if len(self.workers) < self.size and pending:    # work added while results were read
                self.start(len(self.workers) + len(pending))

    def close(self) -> None:
        """Let idle workers finish; anything still running is killed with its children."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            try:
                worker.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_tree(worker.process.pid)
                worker.process.wait()
            worker.conn.close()
        self.workers = []

    def kill(self) -> None:
        """On an interrupt: every worker and every kernel it started, now."""
        for worker in self.workers:
            kill_tree(worker.process.pid, grace=1.0)
            worker.process.wait()
            worker.conn.close()
        self.workers = []
