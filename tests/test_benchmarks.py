"""The benchmark scripts keep working as the code under them changes (figures are not judged)."""
import re
import subprocess

from conftest import BIN, ROOT


def test_batch_benchmark_runs_all_three_ways_on_a_few_reports():
    done = subprocess.run([str(BIN / "python"), "benchmarks/batch.py", "--n", "4", "--naive", "1",
                           "--rounds", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for way in ("(a) papermill CLI + nbconvert CLI", "(b) nianbao", "(c) floor, no notebook"):
        assert re.search(re.escape(way) + r"\s+\d+\s+\d+\s+\d+\.\d+", done.stdout), done.stdout
    assert re.search(r"a/b = \d+\.\d", done.stdout) and re.search(r"b/c = \d+\.\d", done.stdout)


def test_documents_cost_benchmark_runs_on_one_unit():
    done = subprocess.run([str(BIN / "python"), "benchmarks/documents_cost.py", "--runs", "1", "--units", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"姚集镇\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\d+\s+\d+\.\dx", done.stdout), done.stdout
