"""Dask at local speed: the fork engine in warm servers kept by every Dask worker, on a
LocalCluster and on a scheduler with two `dask worker` processes started as a user starts them.
The pages are those of the local pool; a killed or timed-out notebook fails only its unit."""
import json
import subprocess
import time

import nbformat
import psutil
import pytest

from conftest import BIN, ROOT, nianbao, seed_text
from test_batch import make_tree, soup

UNITS = ["新城街道", "黄寨镇", "姚集镇", "崩溃镇"]


def make_county(tmp):
    """Four units in a params file (one whose notebook kills itself), and 慢镇, whose notebook
    never ends, alone in a params file with a 15-second limit per unit."""
    folder = make_tree(tmp)
    for name in ("崩溃镇", "慢镇"):
        (folder / f"{name}.yaml").write_text(seed_text().replace("short_name: 姚集镇", f"short_name: {name}"),
                                             encoding="utf-8")
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell(
        'import os, time\nif "崩溃镇" in data_path:\n    os._exit(1)\nif "慢镇" in data_path:\n    time.sleep(600)')
    cell.id = "kill-switch"                 # the same in every copy: the pages show cell ids
    nb.cells.insert(1, cell)
    params = tmp / "params" / "商水县"
    params.mkdir(parents=True)
    nbformat.write(nb, params / "killing.ipynb")
    (params / "2020.yaml").write_text("data: ../../data/商水县/2020\nnotebook: killing.ipynb\n"
                                      f"units: [{', '.join(UNITS)}]\n", encoding="utf-8")
    slow = tmp / "params" / "slow" / "2020.yaml"
    slow.parent.mkdir()
    slow.write_text("data: ../../data/商水县/2020\nnotebook: ../商水县/killing.ipynb\nunits: [慢镇]\n"
                    "timeout: 15\n", encoding="utf-8")
    return params / "2020.yaml", slow


@pytest.fixture(scope="module")
def local_pool(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("local")
    county, _ = make_county(tmp)
    done = nianbao("run", county, "--out", tmp / "out", "--workers", "2", cwd=tmp)
    assert done.returncode == 1, done.stderr
    return tmp / "out" / "商水县" / "2020"


def assert_same_pages(out, expected, names=UNITS[:3], peers=4):
    """Every page of the units, parsed, as the local pool made it — but where the unit stands
    among its county-year's units, when the run had `peers` units of it, not the pool's four."""
    for name in names:
        for suffix in (".html", ".public.html"):
            page, pool = soup(out / f"{name}{suffix}"), soup(expected / f"{name}{suffix}")
            if peers != 4 and suffix == ".html":
                assert page.find("h2", string=f"在商水县2020年度{peers}个单位中的位置") is not None
                page.find("section", class_="standing").decompose()
                pool.find("section", class_="standing").decompose()
            assert page == pool, name + suffix
    assert not list(out.glob("崩溃镇*"))
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    status = {u["short_name"]: u["status"] for u in run["units"]}
    assert {k: status[k] for k in UNITS} == {"新城街道": "ok", "黄寨镇": "errors", "姚集镇": "ok", "崩溃镇": "failed"}
    crashed = next(u for u in run["units"] if u["short_name"] == "崩溃镇")
    assert "DeadKernelError" in crashed["message"] and "exit code 1" in crashed["message"]
    assert run["summary"]["status"] == "ok"


def test_local_cluster_with_the_fork_engine_makes_the_local_pool_pages(local_pool, tmp_path):
    county, _ = make_county(tmp_path)
    done = nianbao("run", county, "--out", tmp_path / "out", "--scheduler", "local", "--workers", "2",
                   "--engine", "fork", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    out = tmp_path / "out" / "商水县" / "2020"
    assert_same_pages(out, local_pool)
    assert soup(out / "summary.html") == soup(local_pool / "summary.html")
    assert "Traceback" not in done.stderr


def _descendants(proc: subprocess.Popen) -> list[str]:
    try:
        return [" ".join(p.cmdline()) for p in psutil.Process(proc.pid).children(recursive=True)]
    except psutil.Error:
        return []


def test_scheduler_and_two_dask_workers_on_loopback(local_pool, tmp_path):
    county, slow = make_county(tmp_path)
    address_file = tmp_path / "scheduler.json"
    elsewhere = tmp_path / "worker"              # the workers' own folder: nothing of ours lands there
    elsewhere.mkdir()
    started = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 "--no-dashboard", "--scheduler-file", str(address_file)],
                                cwd=elsewhere, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists():
            assert time.monotonic() < deadline and started[0].poll() is None, "the scheduler did not start"
            time.sleep(0.2)
        time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            started.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                 "--no-dashboard"], cwd=elsewhere, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        done = nianbao("run", county, slow, "--out", tmp_path / "out", "--scheduler", address, cwd=tmp_path)
        workers = started[1:]
        assert all(w.poll() is None for w in workers), "a Dask worker died"
        servers = [[c for c in _descendants(w) if "nianbao.notebook.pool import serve" in c] for w in workers]
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in started:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert done.returncode == 1, done.stderr
    out = tmp_path / "out" / "商水县" / "2020"
    assert_same_pages(out, local_pool, peers=5)     # 慢镇 is one of the county-year's units here
    assert "data/商水县/2020/慢镇.yaml：报告生成失败，超过时限（15秒），已停止" in done.stderr, done.stderr
    assert "共5个单位：新生成5份，未变化跳过0份；通过2，有错误1，失败2，无法使用0。" in done.stderr
    # each Dask worker kept its warm server (one per thread), the timed-out one replaced
    assert [len(s) for s in servers] == [1, 1], servers
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and elsewhere in p.parents and p != address_file]


def test_the_local_cluster_runs_no_statistical_profiler_and_watches_itself_less_often():
    # the profiler's sampling and the 20 ms event-loop tick, 500 ms system monitor and 100 ms
    # memory monitor of every worker and nanny would take CPU from the warm servers on the
    # same cores (docs/benchmarks.md, "Dask at local speed")
    from distributed import Client

    from nianbao.batch.cluster import local_cluster

    def periodic(dask_worker):
        return {name: c.callback_time for name, c in dask_worker.periodic_callbacks.items()}
    with local_cluster(2) as cluster, Client(cluster) as client:
        workers, nannies = client.run(periodic), client.run(periodic, nanny=True)
        scheduler = periodic(cluster.scheduler)
    assert len(workers) == len(nannies) == 2
    for times in workers.values():
        assert "heartbeat" in times and "profile" not in times and "profile-cycle" not in times, times
    for times in [*workers.values(), *nannies.values()]:
        assert (times["tick"], times["monitor"], times["memory_monitor"]) == (500, 5000, 1000), times
    assert (scheduler["tick"], scheduler["monitor"]) == (500, 5000)
