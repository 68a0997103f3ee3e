"""Ctrl-C in the middle of a batch: it stops within seconds with one line, the kernels die, no file
is half-written, a rerun finishes (other faults: test_batch_faults.py)."""
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import BIN, ROOT
from nianbao.site.nav import empty_slot
from test_batch import make_tree
from test_batch_faults import assert_whole

UNIT_SECONDS = 3      # each unit's notebook waits this long: the interrupt surely comes midway


def slow_batch(tmp_path) -> Path:
    """A params file running the three units with the township notebook plus a wait: the batch is
    fast enough that, without it, the last units could finish before the signal arrives."""
    make_tree(tmp_path, ("新城街道", "黄寨镇", "姚集镇"))
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(f"import time\ntime.sleep({UNIT_SECONDS})"))
    nbformat.write(nb, tmp_path / "slow.ipynb")
    params = tmp_path / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    params.write_text("data: ../../data/商水县/2020\nnotebook: ../../slow.ipynb\n", encoding="utf-8")
    return params


@pytest.mark.parametrize("engine", ["kernel", "fork"])
def test_interrupt_midway_leaves_no_partial_file_and_no_kernel(tmp_path, engine):
    params = slow_batch(tmp_path)
    out = tmp_path / "out"
    reports = out / "商水县" / "2020"
    batch = subprocess.Popen([str(BIN / "nianbao"), "run", str(params), "--out", str(out), "--workers", "1",
                              "--engine", engine, "--pages-only"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started, seen = time.monotonic(), {}
    try:
        while not list(reports.glob("*.public.html")):
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() - started < 300, "no report appeared"
            _descendants(batch.pid, seen)
            time.sleep(0.05)
        _descendants(batch.pid, seen)
        batch.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        _, stderr = batch.communicate(timeout=60)
        stopped_in = time.monotonic() - interrupted
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 130, stderr
    assert stopped_in < 5, stopped_in                     # within a few seconds, its unit not awaited
    said = stderr.strip().splitlines()
    assert [line for line in said if "中断" in line] == said[-1:], stderr      # one line, the last
    assert re.fullmatch(r"已中断：完成[12]份，未完成的单位下次运行时继续。", said[-1]), said[-1]
    assert "Traceback" not in stderr
    kernels = [pid for pid, cmd in seen.items() if "ipykernel" in cmd]
    assert bool(kernels) == (engine == "kernel"), seen     # fork: no kernel, forked children only
    assert seen, "the test should have seen the worker the batch started"
    assert not [pid for pid in seen if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not list(tmp_path.rglob("*.tmp"))
    assert_whole(out)                              # what is there is whole
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    finished = {u["short_name"] for u in run["units"]}
    assert finished and finished < {"新城街道", "黄寨镇", "姚集镇"}

    rerun = subprocess.run([str(BIN / "nianbao"), "run", str(params), "--out", str(out), "--pages-only"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 1, rerun.stderr           # 黄寨镇 has data errors
    assert f"新生成{3 - len(finished)}份，未变化跳过{len(finished)}份" in rerun.stderr, (rerun.stderr, run["units"])
    for name in ("新城街道", "黄寨镇", "姚集镇"):
        for page in (reports / f"{name}.html", reports / f"{name}.public.html"):
            # navigation filled, also for the units finished before the interrupt (not built again)
            assert empty_slot(page.read_bytes()) != page.read_bytes(), page
    assert (reports / "index.html").is_file() and (reports / "summary.html").is_file()
    assert not list(tmp_path.rglob("*.tmp"))


def _descendants(pid: int, seen: dict[int, str]) -> None:
    """Every process the batch started so far, with its command line."""
    for proc in psutil.Process(pid).children(recursive=True):
        try:
            seen.setdefault(proc.pid, " ".join(proc.cmdline()))
        except psutil.Error:
            pass
