"""What narrative.copied costs the batch client for N units (default 2,000).

Generates N township-years with the demonstration generator (scripts/make_demo_data.py: each
unit's narrative from its own places and topics), as 80 counties of 25 — a province's size — and
times `batch.context.contexts`, the client's whole pre-run step: parse every data file's
narrative from the bytes already read, hash clauses, run the inverted index per county-year,
read the reviews files. The worst case, all N units in ONE county-year, is timed too, against
the plain all-pairs comparison of sections it replaces.

Usage: python benchmarks/copied_cost.py [--n 2000] [--per-county 25]
"""
from __future__ import annotations

import argparse
import importlib.util
import itertools
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def demo_module():
    spec = importlib.util.spec_from_file_location("make_demo_data", ROOT / "scripts" / "make_demo_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(folder: Path, n: int, per_county: int) -> list[Path]:
    demo = demo_module()
    names = ("".join(p) for p in itertools.product(demo.SYLLABLES, repeat=2))
    files = []
    for i in range(n):
        county = f"县{i // per_county:03d}"
        short = next(names) + "镇"
        text, _ = demo.year_of(short, f"{short}人民政府", "township", 2020, {}, {})
        path = folder / county / "2020" / f"{short}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("county: 商水县", f"county: {county}"), encoding="utf-8")
        files.append(path)
    return files


def one_county(files: list[Path]) -> dict[Path, bytes]:
    return {f: f.read_bytes().replace(f"county: {f.parent.parent.name}".encode(), b"county: X") for f in files}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--per-county", type=int, default=25)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "lib"))
    from nianbao.batch.context import contexts
    from nianbao.checks import copied
    from nianbao.io.params import Unit

    with tempfile.TemporaryDirectory() as tmp:
        files = generate(Path(tmp), args.n, args.per_county)
        units = [Unit(f, None, ROOT / "notebooks" / "township_report.ipynb") for f in files]
        data = {f: f.read_bytes() for f in files}
        started = time.perf_counter()
        told = contexts(units, data)
        seconds = time.perf_counter() - started
        flagged = sum(bool(c.peers) for c in told.values())
        print(f"{args.n} units in {args.n // args.per_county} counties: contexts() {seconds:.2f} s "
              f"({1000 * seconds / args.n:.2f} ms per unit), {flagged} units with narrative.copied")

        # worst case: one county-year of N units; the index against all pairs of sections
        merged = one_county(files)
        started = time.perf_counter()
        told = contexts(units, merged)
        seconds = time.perf_counter() - started
        flagged = sum(bool(c.peers) for c in told.values())
        print(f"{args.n} units in ONE county-year: contexts() {seconds:.2f} s, {flagged} units with narrative.copied")

        from nianbao.batch.context import _peer
        peers = [_peer(u, merged[u.source])[1] for u in units]
        names = copied._names("X", *(n for p in peers for n in p.names))
        cut = [copied.sections_of(p.narrative, names) for p in peers]
        started = time.perf_counter()
        pairs = 0
        for a, b in itertools.combinations(cut, 2):
            for sid in copied.SECTIONS:
                x, y = a[sid], b[sid]
                pairs += copied.is_copied(x, y, sum(x.clauses[h][0] for h in x.clauses if h in y.clauses))
        brute = time.perf_counter() - started
        started = time.perf_counter()
        copied.peer_findings(peers, "X")
        index = time.perf_counter() - started
        print(f"  sections compared pair by pair: {brute:.2f} s ({pairs} copied pairs); "
              f"the inverted index on the same sections: {index:.2f} s")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
