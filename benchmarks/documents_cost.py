"""What the PDF and the Word file add to a unit's cost.

One warm process, the seed and a few demonstration units: a unit's whole work (`run_one`) with and
without the documents, and each maker alone on the unit's public page (median of --runs), plus
what the first call in a process costs (imports, font configuration). With --chromium, the same
page printed by headless Chromium (one browser process per page, as a batch would have to), for
the choice of WeasyPrint. With --against LIB (another checkout's lib/, e.g. main's), that tree's
PDF maker too, on the same pages, called alternately with this one in the same process (a noisy
machine slows both alike). Ratios, not absolute seconds, are what to compare on a shared machine.

Usage: python benchmarks/documents_cost.py [--runs N] [--units N] [--chromium] [--against LIB]
"""
from __future__ import annotations

import argparse
import atexit
import importlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_time

DATA = Path(__file__).resolve().parents[1] / "data" / "商水县" / "2020"




def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--units", type=int, default=4, help="the seed and the first N-1 other units")
    parser.add_argument("--chromium", action="store_true", help="also time headless Chromium's print")
    parser.add_argument("--against", type=Path, help="another checkout's lib/: its PDF maker, alternately")
    args = parser.parse_args()
    other = other_pdf_maker(args.against) if args.against else None

    start = time.perf_counter()
    from nianbao.documents.pdf import pdf_bytes
    from nianbao.documents.word import docx_bytes
    imports = time.perf_counter() - start
    from nianbao.batch.unit import run_one

    sources = [DATA / "姚集镇.yaml"] + sorted(p for p in DATA.glob("*.yaml") if p.stem != "姚集镇")
    sources = sources[:max(1, args.units)]
    rows = []
    ours, theirs = [], []                   # --against: every alternate call's seconds
    with tempfile.TemporaryDirectory() as out:
        first = None
        for source in sources:
            pages, outcome = median_time(lambda: run_one(source, out, documents=False), args.runs)
            public = next(p for p in outcome.outputs if p.name.endswith(".public.html"))
            html = public.read_text(encoding="utf-8")
            if first is None:                                   # the first PDF of a process
                t = time.perf_counter()
                pdf_bytes(html)
                first = time.perf_counter() - t
            pdf, made = median_time(lambda: pdf_bytes(html), args.runs)
            docx, word = median_time(lambda: docx_bytes(html), args.runs)
            whole, _ = median_time(lambda: run_one(source, out), args.runs)
            chromium = chromium_print(public, args.runs) if args.chromium else None
            rows.append((source.stem, pages, pdf, docx, whole, len(made), len(word), chromium))
            if other is not None:
                other(html)                                     # its first call apart
                for _ in range(args.runs):                      # alternately, one call each
                    for maker, times in ((pdf_bytes, ours), (other, theirs)):
                        t = time.perf_counter()
                        maker(html)
                        times.append(time.perf_counter() - t)

    print(f"imports of the makers (once per process): {imports:.2f} s; first PDF of a process: {first:.2f} s")
    print(f"{'unit':<8} {'pages only':>10} {'PDF':>6} {'Word':>6} {'with both':>10} {'added':>6} "
          f"{'PDF KiB':>8} {'docx KiB':>8}" + (f" {'Chromium':>9}" if args.chromium else ""))
    for name, pages, pdf, docx, whole, pdf_size, docx_size, chromium in rows:
        print(f"{name:<8} {pages:>10.2f} {pdf:>6.2f} {docx:>6.2f} {whole:>10.2f} {whole / pages:>5.1f}x "
              f"{pdf_size / 1024:>8.0f} {docx_size / 1024:>8.0f}" + (f" {chromium:>9.2f}" if chromium else ""))
    mean = lambda i: statistics.mean(r[i] for r in rows)          # noqa: E731
    print(f"mean: pages only {mean(1):.2f} s, PDF {mean(2):.2f} s, Word {mean(3):.2f} s, "
          f"with both {mean(4):.2f} s per unit")
    if other is not None:
        print(f"PDF, alternately with {args.against}'s ({len(ours)} calls each): this tree "
              f"{statistics.median(ours):.4f} s, that tree {statistics.median(theirs):.4f} s (medians), "
              f"ratio {statistics.median(ours) / statistics.median(theirs):.2f}")


def other_pdf_maker(lib: Path):
    """Another checkout's pdf_bytes (documents/pdf.py; render/pdf.py before the folders by flow),
    its package imported under a name of its own."""
    copy = Path(tempfile.mkdtemp(prefix="nianbao-against-"))
    atexit.register(shutil.rmtree, copy, ignore_errors=True)
    shutil.copytree(lib / "nianbao", copy / "nianbao_against", ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(copy))
    where = "documents" if (lib / "nianbao" / "documents" / "pdf.py").exists() else "render"
    return importlib.import_module(f"nianbao_against.{where}.pdf").pdf_bytes


def chromium_print(page: Path, runs: int) -> float | None:
    """Headless Chromium printing the page to PDF: a browser process per page."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   f"--user-data-dir={tmp}/profile", f"--print-to-pdf={tmp}/page.pdf", page.as_uri()]
        seconds, _ = median_time(lambda: subprocess.run(command, capture_output=True, timeout=120), runs)
    return seconds


if __name__ == "__main__":
    sys.exit(main())
