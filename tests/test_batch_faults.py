"""Runs that are killed, workers that die, two runs at once, a full disk, a read-only folder.

Each against the real CLI (`nianbao run` as a subprocess) on a copy of three of the county's
units, on an output folder that already holds a complete run of older reports (made with an
older notebook, so that every unit is built again): the fault, then a plain rerun, which must
give what a clean run of the same data gives. docs/reliability.md states these promises.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
from bs4 import BeautifulSoup

from conftest import BIN, ROOT
from nianbao.site.nav import empty_slot
from test_batch import make_tree

UNITS = ("新城街道", "黄寨镇", "姚集镇")
EXIT = 1                        # a complete run: 黄寨镇 has data errors
EXPECTED = {"新城街道": "ok", "黄寨镇": "errors", "姚集镇": "ok"}
UNIT_FILES = (".html", ".public.html", ".pdf", ".docx", ".data.csv", ".data.json")
COUNTY_FILES = ("index.html", "summary.html", "findings.csv", "ratios.csv", "units.csv")
SITE_FILES = ("index.html", "search.js")
SERVER = "nianbao.notebook.pool import serve"      # a warm server's command line
BUILT = re.compile("生成于\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d".encode())     # on the home page


# ---- the county, the runs, and what a whole output folder is ----

@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """root/data: three units; root/old: a complete run made with an older notebook;
    root/clean: a clean run of today's, the answer every healed folder must give."""
    root = tmp_path_factory.mktemp("county")
    make_tree(root, UNITS)
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('print("旧版笔记本")'))
    nbformat.write(nb, root / "old.ipynb")
    params = root / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    params.write_text("data: ../../data/商水县/2020\nnotebook: ../../old.ipynb\n", encoding="utf-8")
    for out, target in (("old", params), ("clean", root / "data" / "商水县" / "2020")):
        done = nianbao("run", target, "--out", out, cwd=root)
        assert done.returncode == EXIT, done.stderr
    old, clean = (root / name / "商水县" / "2020" for name in ("old", "clean"))
    assert (old / "新城街道.public.html").read_bytes() != (clean / "新城街道.public.html").read_bytes()
    return root


def nianbao(*args, cwd, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "nianbao"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def start(*args, cwd) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "nianbao"), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def copy_of_old(county: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(county / "old", out)
    return out


def rerun(county: Path, out: Path) -> subprocess.CompletedProcess:
    return nianbao("run", county / "data" / "商水县" / "2020", "--out", out, cwd=county)


def watch(batch: subprocess.Popen, until, seen: dict[int, str], limit: float = 120) -> None:
    """Poll until `until()` holds, noting every process the batch started so far."""
    started = time.monotonic()
    while not until():
        assert batch.poll() is None, f"the run ended first: {batch.communicate()}"
        assert time.monotonic() - started < limit, "the moment never came"
        descendants(batch.pid, seen)
        time.sleep(0.01)
    descendants(batch.pid, seen)


def descendants(pid: int, seen: dict[int, str]) -> None:
    try:
        for proc in psutil.Process(pid).children(recursive=True):
            try:
                seen.setdefault(proc.pid, " ".join(proc.cmdline()))
            except psutil.Error:
                pass
    except psutil.NoSuchProcess:
        pass


def running(pids) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def assert_all_gone(seen: dict[int, str], within: float = 2.0) -> None:
    """Every process the batch started has ended: at once — not when its unit is done (a kernel's
    own parent poller takes a second)."""
    deadline = time.monotonic() + within
    while running(seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not running(seen), {pid: seen[pid] for pid in running(seen)}


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def assert_whole(folder: Path) -> None:
    """Every file of the output folder parses as what it is: nothing cut short."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".tmp")):
        data = path.read_bytes()
        assert data, path
        if path.suffix == ".html":
            text = data.decode("utf-8")
            assert text.rstrip().endswith("</html>"), path
            assert BeautifulSoup(text, "html.parser").find("body") is not None, path
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".ipynb":
            nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
        elif path.suffix == ".csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows and len({len(row) for row in rows}) == 1, path
        elif path.suffix == ".pdf":
            pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
            assert pages.returncode == 0 and "政府信息公开" in pages.stdout, (path, pages.stderr)
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as word:
                assert word.testzip() is None, path
                assert "政府信息公开" in word.read("word/document.xml").decode("utf-8"), path
        elif path.suffix == ".js":
            assert data.rstrip().endswith((b";", b"}")), path


def docx_parts(path: Path) -> dict[str, bytes]:
    """A Word file's parts: the zip's entry dates are the time it was written, not its content."""
    with zipfile.ZipFile(path) as word:
        return {name: word.read(name) for name in word.namelist()}


def assert_same_as_clean(county: Path, out: Path) -> None:
    """Every unit's pages, documents and data files, and the county-year's and the site's pages,
    byte for byte as the clean run's (run.json and the notebooks record times, the home page
    when each county-year was built)."""
    clean = county / "clean"
    names = sorted(p.relative_to(clean).as_posix() for p in clean.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    year = Path("商水县") / "2020"
    compared = [*SITE_FILES, *(year / name for name in COUNTY_FILES),
                *(year / f"{unit}{suffix}" for unit in UNITS for suffix in UNIT_FILES)]
    for name in compared:
        if str(name).endswith(".docx"):
            assert docx_parts(out / name) == docx_parts(clean / name), name
        elif str(name) == "index.html":
            assert BUILT.sub(b"", (out / name).read_bytes()) == BUILT.sub(b"", (clean / name).read_bytes())
        else:
            assert (out / name).read_bytes() == (clean / name).read_bytes(), name


# ---- killed outright ----

def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def moment(name: str, out: Path, seen: dict[int, str]):
    """When to kill: a condition on the output folder (or on the processes the run started)."""
    year = out / "商水县" / "2020"
    pages = [year / f"{unit}.public.html" for unit in UNITS]
    before = {p: _mtime(p) for p in (*pages, year / "run.json", year / "index.html")}
    changed = lambda *paths: any(_mtime(path) != before[path] for path in paths)  # noqa: E731
    return {
        "warming": lambda: any(SERVER in cmd for cmd in seen.values()),   # workers warming, nothing built
        "unit": lambda: changed(*pages),                        # a unit written, others running
        "summary": lambda: changed(year / "run.json"),          # every unit done, the summary running
        "site": lambda: changed(year / "index.html"),           # the county page, then the site
    }[name]


@pytest.mark.parametrize("when, engine", [("warming", "fork"), ("unit", "fork"), ("unit", "kernel"),
                                          ("summary", "fork"), ("site", "fork")])
def test_killed_outright_leaves_nothing_running_nothing_damaged_and_a_rerun_heals(county, tmp_path, when, engine):
    out = copy_of_old(county, tmp_path)
    seen: dict[int, str] = {}
    until = moment(when, out, seen)
    batch = start("run", county / "data" / "商水县" / "2020", "--out", out, "--engine", engine, cwd=county)
    try:
        watch(batch, until, seen)
        batch.send_signal(signal.SIGKILL)
        batch.wait(timeout=10)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == -signal.SIGKILL
    assert [cmd for cmd in seen.values() if SERVER in cmd], seen    # its workers were seen
    if engine == "kernel" and when == "unit":
        assert [cmd for cmd in seen.values() if "ipykernel" in cmd], seen
    assert_all_gone(seen, within=2.0 if engine == "fork" else 5.0)
    assert_whole(out)                       # old or new, each file whole (a temporary may be left)

    healed = rerun(county, out)
    assert healed.returncode == EXIT, healed.stderr
    assert "Traceback" not in healed.stderr and "程序内部错误" not in healed.stderr
    assert not temporaries(out)
    assert_whole(out)
    assert_same_as_clean(county, out)
    again = rerun(county, out)              # healed means: nothing left to do
    assert f"新生成0份，未变化跳过{len(UNITS)}份" in again.stderr
    assert_same_as_clean(county, out)


def test_a_temporary_file_a_killed_run_left_is_removed_by_the_next(county, tmp_path):
    """A process killed inside a write leaves its temporary file (".<name>.<random>.tmp"): the next
    run removes it, and nothing else of the same look that is not ours to touch."""
    out = copy_of_old(county, tmp_path)
    year = out / "商水县" / "2020"
    left = [out / ".index.html.k2j4_x9a.tmp", year / ".新城街道.pdf.abcd1234.tmp"]
    for path in left:
        path.write_bytes(b"%PDF-1.7 cut sh")
    other = year / "notes.tmp"              # not a name atomic_write makes
    other.write_text("mine", encoding="utf-8")
    done = rerun(county, out)
    assert done.returncode == EXIT, done.stderr
    assert not any(p.exists() for p in left) and other.read_text(encoding="utf-8") == "mine"
    other.unlink()
    assert_same_as_clean(county, out)


# ---- a worker killed ----

@pytest.mark.parametrize("victim", ["worker", "notebook"])
def test_a_worker_killed_midrun_fails_its_unit_with_a_reason_and_the_rest_are_built(county, tmp_path, victim):
    """The warm server (or the notebook it forked) killed as the out-of-memory killer would, while
    it builds the second unit: the run finishes, that unit is reported failed with why, the
    others are built; its earlier report is kept; the next run builds it."""
    out = copy_of_old(county, tmp_path)
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(4)"))
    slow = tmp_path / "slow.ipynb"
    nbformat.write(nb, slow)
    params = tmp_path / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(f"data: {county / 'data' / '商水县' / '2020'}\nnotebook: {slow}\n", encoding="utf-8")
    year = out / "商水县" / "2020"
    seen: dict[int, str] = {}
    until = moment("unit", out, seen)
    batch = start("run", params, "--out", out, "--workers", "1", "--pages-only", cwd=county)
    try:
        watch(batch, until, seen)
        time.sleep(1.5)                     # the next unit is in its notebook's wait
        [server] = [p for p in psutil.Process(batch.pid).children() if SERVER in " ".join(p.cmdline())]
        descendants(batch.pid, seen)
        target = server if victim == "worker" else server.children()[0]
        target.kill()
        _, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 1, stderr
    assert "Traceback" not in stderr and "程序内部错误" not in stderr
    [line] = [line for line in stderr.splitlines() if "报告生成失败" in line]
    reason = "进程被信号 SIGKILL 终止（可能是内存不足，或被人结束）" if victim == "worker" else "Kernel died (signal SIGKILL)"
    assert reason in line and line.endswith("（仍保留上次生成的报告）"), line
    [lost] = [unit for unit in UNITS if line.startswith(f"data/商水县/2020/{unit}.yaml：报告生成失败")]
    run = {u["short_name"]: u for u in json.loads((year / "run.json").read_text(encoding="utf-8"))["units"]}
    assert {name: run[name]["status"] for name in UNITS} == {**EXPECTED, lost: "failed"}
    old = county / "old" / "商水县" / "2020"
    assert (year / f"{lost}.public.html").read_bytes() == (old / f"{lost}.public.html").read_bytes()
    assert_all_gone(seen)
    assert_whole(out)
    assert not temporaries(out)
    again = nianbao("run", params, "--out", out, "--workers", "1", "--pages-only", cwd=county)
    assert again.returncode == EXIT and "新生成1份，未变化跳过2份" in again.stderr, again.stderr
    run = {u["short_name"]: u for u in json.loads((year / "run.json").read_text(encoding="utf-8"))["units"]}
    assert {name: run[name]["status"] for name in UNITS} == EXPECTED


# ---- two runs at once ----

def test_a_second_run_on_the_same_folder_is_refused_at_once_and_the_first_goes_on(county, tmp_path):
    out = copy_of_old(county, tmp_path)
    first = start("run", county / "data" / "商水县" / "2020", "--out", out, cwd=county)
    seen: dict[int, str] = {}
    try:       # its workers started: it holds the lock (taken before anything is read)
        watch(first, lambda: any(SERVER in cmd for cmd in seen.values()), seen)
        asked = time.monotonic()
        second = nianbao("run", county / "data" / "商水县" / "2020", "--out", out, cwd=tmp_path, timeout=60)
        refused_in = time.monotonic() - asked
        assert first.poll() is None, "the first run should still be running"
        _, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2
    assert second.stderr.strip() == (f"输出文件夹“{os.path.relpath(out, tmp_path)}”正由另一个 nianbao run 写入；"
                                     "请等它结束后再运行，或用 --out 指定另一个文件夹")
    assert refused_in < 5, refused_in      # at once: it reads no data file, starts no worker
    assert first.returncode == EXIT, stderr
    assert_same_as_clean(county, out)


# ---- a full disk, a read-only folder ----

@pytest.fixture
def small_disk(tmp_path):
    """A real file system of its own (tmpfs), mounted under tmp_path; unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root or CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """A filler file taking all the space but `leave` bytes."""
    filler = disk / "filler.bin"
    free = shutil.disk_usage(disk).free
    with filler.open("wb") as handle:
        handle.truncate(0)
        handle.write(b"\0" * max(0, free - leave))
    return filler


def test_a_full_disk_stops_the_run_with_a_clear_message_and_damages_nothing(county, tmp_path, small_disk):
    out = small_disk / "out"
    shutil.copytree(county / "old", out)
    old = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    seen: dict[int, str] = {}
    until = moment("unit", out, seen)
    batch = start("run", county / "data" / "商水县" / "2020", "--out", out, "--workers", "1", cwd=county)
    try:
        watch(batch, until, seen)           # a unit written, the next one being built: the disk fills
        filler = fill(small_disk, 64 * 1024)
        _, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            batch.kill()
    done = subprocess.CompletedProcess(batch.args, batch.returncode, "", stderr)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "程序内部错误" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("磁盘空间不足，无法写入“") and "out/商水县/2020/" in last, done.stderr
    assert last.endswith("已停止：写好的报告和以前的报告都完好保留，再次运行时接着生成其余的。"), last
    assert not temporaries(out)
    assert_whole(out)
    now = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(now) == set(old)
    year = Path("商水县") / "2020"
    clean = county / "clean"
    replaced = [unit for unit in UNITS if now[year / f"{unit}.public.html"] != old[year / f"{unit}.public.html"]]
    assert len(replaced) < len(UNITS), "the disk should have filled before the last unit"
    for unit in UNITS:     # each unit: all its files new (their navigation not filled yet), or all as they were
        source = clean if unit in replaced else county / "old"
        for suffix in (".html", ".public.html", ".pdf"):
            expected = (source / year / f"{unit}{suffix}").read_bytes()
            assert now[year / f"{unit}{suffix}"] == (empty_slot(expected) if unit in replaced and suffix != ".pdf"
                                                     else expected), (unit, suffix)
    assert_all_gone(seen)

    filler.unlink()                         # space again: the next plain run finishes the work
    healed = nianbao("run", county / "data" / "商水县" / "2020", "--out", out, cwd=county)
    assert healed.returncode == EXIT, healed.stderr
    assert_same_as_clean(county, out)


def test_a_read_only_output_folder_is_said_at_once_exit_2(county, tmp_path, small_disk):
    out = small_disk / "out"
    shutil.copytree(county / "old", out)
    old = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    assert remounted.returncode == 0, remounted.stderr
    began = time.monotonic()
    done = nianbao("run", county / "data" / "商水县" / "2020", "--out", out, cwd=county)
    took = time.monotonic() - began
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (f"“{out}”所在的磁盘或文件夹是只读的，不能写入；"
                                   "请用 --out 指定一个可写的文件夹")
    assert took < 30, took                  # before any report is made for nothing
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == old
    # a folder still to be made, on a read-only disk
    done = nianbao("run", county / "data" / "商水县" / "2020", "--out", small_disk / "new" / "out", cwd=county)
    assert done.returncode == 2 and "所在的磁盘或文件夹是只读的，不能写入" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "程序内部错误" not in done.stderr


def test_a_worker_dead_while_idle_hands_its_job_to_its_replacement():
    """The out-of-memory killer may choose an idle worker: the next job is not lost with it."""
    from nianbao.notebook.pool import Pool
    pool = Pool(abs, 1).start()
    try:
        [worker] = pool.workers
        worker.process.kill()
        worker.process.wait()
        assert list(pool.run([-3, -4], lambda job: 30)) == [(-3, 3), (-4, 4)]
        assert pool.workers[0].process.pid != worker.process.pid
    finally:
        pool.kill()
