"""The benchmark scripts keep working as the code under them changes (figures are not judged)."""
import re
import subprocess

from conftest import BIN, ROOT


def test_batch_benchmark_runs_every_way_at_both_sizes_on_a_few_reports():
    done = subprocess.run([str(BIN / "python"), "benchmarks/batch.py", "--n", "4", "--county", "2",
                           "--naive", "1", "--rounds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for size in ("2", "4"):
        table = out.split(f"\n{size} reports")[1]
        for way in ("(a) papermill, nbconvert, weasyprint, soffice", "(b) nianbao run (local pool)",
                    "(b') … --pages-only", "(c) floor, no notebook", "(c') … pages only"):
            assert re.search(re.escape(way) + r"\s+\d+\s+\d+\s+\d+\.\d+", table), out
        assert re.search(r"a/b = \d+\.\d   b/c = \d+\.\d+   a/c = \d+\.\d   b'/c' = \d+\.\d+", table), out
        assert re.search(r"with the documents / pages only: b/b' = \d+\.\d+   c/c' = \d+\.\d+", table), out
    for way in ("nianbao run --scheduler local, 1 worker", "… 2 workers"):
        assert re.search(re.escape(way) + r"\s+4\s+1\s+\d+\.\d+\s+\d+\s+\d+/\d+/\d+", out), out
    assert re.search(r"Dask 2 workers / local pool = \d+\.\d+   Dask 1 worker / 2 workers = \d+\.\d+", out), out
    for part in ("a worker's warm-up", "county summary notebook", "unchanged rerun", "three charts",
                 "notebook in a forked child", "export of the two pages"):
        assert re.search(re.escape(part) + r".*\s\d+\.\d{3} s", out), out


def test_documents_cost_benchmark_runs_on_one_unit():
    # --against: another checkout's PDF maker (here this tree's own, imported a second time)
    done = subprocess.run([str(BIN / "python"), "benchmarks/documents_cost.py", "--runs", "1", "--units", "1",
                           "--against", "lib"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"姚集镇\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\dx", done.stdout), done.stdout
    assert re.search(r"PDF, alternately with lib's \(1 calls each\): this tree \d+\.\d{4} s, that tree "
                     r"\d+\.\d{4} s \(medians\), ratio \d+\.\d\d", done.stdout), done.stdout


def test_search_benchmark_runs_on_a_small_site():
    done = subprocess.run([str(BIN / "python"), "benchmarks/search.py", "--n", "60", "--rounds", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"60 units in 3 county-years: search.js \d+ KiB", done.stdout), done.stdout
    assert re.search(r"'姚集' \(找到1个单位\): handled\+laid out \d+\.\d ms", done.stdout), done.stdout
