"""A small process pool that can stop any task: a deadline per task, and kill on interrupt.

concurrent.futures cannot stop one running task (killing its worker breaks the whole pool), and
a notebook's kernel is a child of the worker that must die with it. Here each worker is a
long-lived process (its imports and exporters stay warm); a worker that overruns its deadline or
dies is killed together with everything it started (its kernel) and replaced.
"""
from __future__ import annotations

import multiprocessing
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

import psutil

CONTEXT = multiprocessing.get_context("spawn")   # no inherited threads or locks from the client


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


def _serve(conn: Connection, task: Callable) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the client decides how an interrupt ends
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send((True, task(job)))
        except Exception as exc:                      # a bug in the task: report it, keep serving
            conn.send((False, f"程序内部错误（{type(exc).__name__}: {exc}）"))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: Any = None
    deadline: float | None = None


class Pool:
    """`run(jobs, timeout_of)` yields (job, result or WorkerLost) in the order they finish."""

    def __init__(self, task: Callable, workers: int):
        self.task, self.size = task, max(1, workers)
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        ours, theirs = CONTEXT.Pipe()
        process = CONTEXT.Process(target=_serve, args=(theirs, self.task), daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _replace(self, worker: _Worker) -> None:
        kill_tree(worker.process.pid)
        worker.conn.close()
        self.workers[self.workers.index(worker)] = self._start()

    def run(self, jobs: Iterable, timeout_of: Callable[[Any], float | None]) -> Iterator[tuple[Any, Any]]:
        pending = list(jobs)[::-1]
        while len(self.workers) < min(self.size, len(pending)):
            self.workers.append(self._start())
        while True:
            for worker in self.workers:
                if worker.job is None and pending:
                    worker.job = pending.pop()
                    limit = timeout_of(worker.job)
                    worker.deadline = None if limit is None else time.monotonic() + limit
                    worker.conn.send(worker.job)
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
                        outcome = WorkerLost(f"进程意外退出（退出码 {worker.process.exitcode}）")
                        self._replace(worker)
                elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                    outcome = WorkerLost(f"超过时限（{timeout_of(job):g}秒），已停止")
                    self._replace(worker)
                else:
                    continue
                worker.job = None               # (a replacement starts idle)
                yield job, outcome

    def close(self) -> None:
        """Let idle workers finish; anything still running is killed with its children."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                kill_tree(worker.process.pid)
            worker.conn.close()
        self.workers = []

    def kill(self) -> None:
        """On an interrupt: every worker and every kernel it started, now."""
        for worker in self.workers:
            kill_tree(worker.process.pid, grace=1.0)
            worker.conn.close()
        self.workers = []
