"""Dask at local speed: every Dask worker keeps warm servers to run its jobs in.

A Dask worker runs tasks in threads, and a process with threads must not fork; a Jupyter kernel
per notebook instead costs seconds per report. So a worker plugin starts, on each Dask worker
as it joins, one warm server per worker thread: the single-threaded process of the local pool
(notebook/pool.py), which imports and warms at once and forks every notebook from itself. A Dask task
only hands its job to a free server of its worker and waits. The unit's deadline is enforced
there, as locally: a server that overruns it, or dies, is killed with its children and replaced,
and only that unit fails; the Dask worker itself is never harmed.

Why a worker plugin (rather than a nanny preload or a server started by each task): the client
registers it, so it reaches every worker — also ones that join later — with nothing to add to
the `dask worker` command line, it is replaced on the next registration (a new run picks up a
newly installed nianbao), and its teardown stops the servers when the worker closes.
Nothing is shared but bytes: the job carries its inputs, the result carries every page.
"""
from __future__ import annotations

import functools
import queue

import dask
from distributed import LocalCluster, WorkerPlugin, get_worker

from ..notebook.pool import Pool, WorkerLost
from .unit import warm, work

NAME = "nianbao-warm-servers"


class WarmServers(WorkerPlugin):
    """On one Dask worker: a warm server (a Pool of one) per thread, lent to one task at a time."""

    def __init__(self, engine: str | None):
        self.engine = engine

    def setup(self, worker) -> None:
        task = functools.partial(work, from_bytes=True, engine=self.engine)
        self.servers = [Pool(task, 1, warm=functools.partial(warm, self.engine)).start()
                        for _ in range(worker.state.nthreads)]
        self.free: queue.SimpleQueue[Pool] = queue.SimpleQueue()
        for server in self.servers:
            self.free.put(server)

    def teardown(self, worker) -> None:
        for server in self.servers:
            server.kill()


def local_cluster(workers: int):
    """`--scheduler local`: a LocalCluster of single-threaded worker processes, without the Dask
    worker's statistical profiler — every 10 ms it samples every thread of the worker, here
    threads that only wait on a warm server's pipe, taking CPU from the servers beside it — and
    with the cluster's self-watching at a slower pace: the event-loop tick every 500 ms (20 ms),
    the system monitor every 5 s (0.5 s), the memory monitor every 1 s (0.1 s), in the scheduler,
    each worker and each nanny. The warm servers are processes of their own: the workers only
    pass jobs and results. (Workers started by hand: DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=
    False, and the same settings, in the environment of `dask worker …`.)"""
    with dask.config.set({"distributed.worker.profile.enabled": False,   # handed to each worker
                          "distributed.admin.tick.interval": "500ms",
                          "distributed.admin.system-monitor.interval": "5s",
                          "distributed.worker.memory.monitor-interval": "1s"}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def run_job(job, timeout: float | None):
    """The Dask task: the job run in a warm server of this worker; a lost server → its reason."""
    plugin = get_worker().plugins[NAME]
    server = plugin.free.get()
    try:
        [(_, outcome)] = server.run([job], lambda _: timeout)
    finally:
        plugin.free.put(server)
    return str(outcome) if isinstance(outcome, WorkerLost) else outcome
