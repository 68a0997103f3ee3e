"""Batch time for the bundled county (23 units of 商水县 2020) with 1 and 2 local workers.

Each configuration runs `nianbao run params/ --force` into a fresh folder (so every report and the
county summary are built) and then once more unchanged (everything skipped). Prints seconds in
all, seconds per report and the ratio 1 worker / 2 workers; compare ratios, not absolute
seconds, on a noisy machine. Usage: python benchmarks/batch_time.py [--workers 1 2] [--scheduler local]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NIANBAO = Path(sys.executable).parent / "nianbao"
UNITS = 23


def timed_run(out: Path, workers: int, scheduler: str | None, force: bool) -> float:
    cmd = [str(NIANBAO), "run", "--out", str(out), "--workers", str(workers)]
    cmd += ["--scheduler", scheduler] if scheduler else []
    cmd += ["--force"] if force else []
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"nianbao run failed ({done.returncode}):\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scheduler", help="also pass --scheduler (e.g. local)")
    args = parser.parse_args()
    print(f"batch of {UNITS} units (params/商水县/2020.yaml), {os.cpu_count()} cores"
          + (f", --scheduler {args.scheduler}" if args.scheduler else ", local process pool"))
    totals = {}
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            whole = timed_run(Path(tmp), workers, args.scheduler, force=True)
            unchanged = timed_run(Path(tmp), workers, args.scheduler, force=False)
        totals[workers] = whole
        print(f"  {workers} worker(s): {whole:6.1f} s in all, {whole / UNITS:5.2f} s per report; "
              f"unchanged rerun {unchanged:4.1f} s")
    if len(totals) >= 2:
        first, *rest = sorted(totals)
        for workers in rest:
            print(f"  ratio {first} / {workers} workers: {totals[first] / totals[workers]:.2f}")


if __name__ == "__main__":
    main()
