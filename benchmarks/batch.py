"""Batch speed: township-years made into reports — the HTML pages, a PDF and a Word file, as an
office files them — three ways, timed in one run, at county size (24 units) and at N (200;
`--n 2000` for a province).

  (a) naive   the `papermill` CLI, the `jupyter nbconvert --to html` CLI, the `weasyprint` CLI
              on that page and LibreOffice (`soffice --convert-to docx`) on it, per report
              (run on a sample of --naive reports and scaled per report: it is slow)
  (b) nianbao `nianbao run --workers N --force` on the generated folder: the real batch (warm
              servers, fork engine, county pages and summaries), pages, PDF and Word file;
      (b')    the same with `--pages-only` (the goal: b ≤ 1.4 × b' at N = 200)
  (c) floor   the same reports built in one warm process per core without a notebook: the
              notebook's cells' code run as plain Python (no kernel, IPython, papermill or
              nbconvert), the same HTML pieces, two pages written, and the PDF and the Word
              file made from the public page by the library's makers (documents/pdf, documents/word);
      (c')    the same without the documents
  Dask        `nianbao run --scheduler local --pages-only` with 1 and 2 workers at N, against (b')

then where one unit's time goes, and what a run pays once (see fixed_costs).

The data files are valid and of both editions: 2020 ones (edition 2019) and 2021 ones
(edition 2021), made from the seed 姚集镇 2020 by drawing new numbers that keep every
arithmetic rule of the edition. Each way runs in a subprocess of its own, so that its peak
memory (largest resident set of any one of its processes) is its own.

Usage: python benchmarks/batch.py [--n 200] [--county 24] [--workers CORES] [--naive 10] [--no-dask]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from functools import cache
from multiprocessing import get_context
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "商水县" / "2020" / "姚集镇.yaml"
NOTEBOOK = ROOT / "notebooks" / "township_report.ipynb"
BIN = Path(sys.executable).parent
COUNTY = "基准县"


# ---------------------------------------------------------------------------------------------
# The data: N valid township-years of both editions

def _rule(edition, rule_id):
    return next(r for r in edition.rules if r["id"] == rule_id)


def township_year(index: int, rng: random.Random) -> dict:
    """One valid data file's content: the seed's narrative, new numbers, edition by year."""
    from nianbao.model.edition import edition_for
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    year = 2020 if index % 2 == 0 else 2021
    edition = edition_for(year)
    name = f"示例{index:04d}镇"
    data.update(unit=f"{name}人民政府", short_name=name, county=COUNTY, year=year, edition=edition.id,
                published=f"{year + 1}-01-{rng.randint(10, 28)}", demo=True)
    data["narrative"] = {k: v.replace("姚集镇", name).replace("2020", str(year))
                         for k, v in data["narrative"].items()}
    if edition.id == "2021":
        data["narrative"]["other"] = "本年度未收取信息处理费。无其他需要报告的事项。"

    proactive = edition.tables["proactive"]
    data["proactive"] = {}
    for row in proactive.rows:
        values = {}
        for col in proactive.columns_of(row.id):
            kind = proactive.value_type(col.id)
            values[col.id] = (round(rng.uniform(0, 2000), 2) if kind == "amount"
                              else rng.randint(-3, 3) if kind == "signed_count" else rng.randint(0, 60))
        if "total_published" in values:     # edition 2019: all published ≥ newly published
            values["total_published"] = values["new_published"] + rng.randint(0, 40)
        if row.id == "rules":               # a township makes no 规章 (plausibility.township_rules)
            values = dict.fromkeys(values, 0)
        data["proactive"][row.id] = values

    requests = edition.tables["requests"]
    applicants = _rule(edition, "requests.row_total")["right"]
    outcomes = _rule(edition, "requests.outcomes_sum")["right"]
    rows = {r.id: dict.fromkeys(applicants, 0) for r in requests.rows}
    for col in applicants:
        received = rng.randint(0, 40 if col == "natural_person" else 4)
        carried = rng.randint(0, 3)
        forward = rng.randint(0, min(3, received + carried))
        handled = received + carried - forward
        rows["new_received"][col], rows["carried_over"][col] = received, carried
        rows["total_handled"][col], rows["carried_forward"][col] = handled, forward
        for _ in range(handled):            # most requests are granted, a few anything else
            rows["granted" if rng.random() < 0.6 else rng.choice(outcomes)][col] += 1
    data["requests"] = {row: {**values, "total": sum(values.values())} for row, values in rows.items()}

    appeals = edition.tables["appeals"]
    parts = _rule(edition, "appeals.group_total")["right"]
    data["appeals"] = {}
    for row in appeals.rows:
        values = {col: rng.randint(0, 2) for col in parts}
        data["appeals"][row.id] = {**values, "total": sum(values.values())}
    return data


def generate(folder: Path, n: int) -> list[Path]:
    from nianbao.checks import run_checks
    from nianbao.io import read_report
    rng = random.Random(20261126)
    paths = []
    for i in range(n):
        data = township_year(i, rng)
        path = folder / COUNTY / str(data["year"]) / f"{data['short_name']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        if i < 4:                            # the generator keeps every rule: prove it on both editions
            findings = run_checks(read_report(path))
            assert not findings, [f.message for f in findings]
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------------------------
# The three ways

def naive(paths: list[Path], out: Path, workers: int) -> list[int]:
    for path in paths:
        executed = out / f"{path.stem}.{path.parent.name}.ipynb"
        subprocess.run([BIN / "papermill", NOTEBOOK, executed, "-p", "data_path", path, "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", executed],
                       check=True, capture_output=True)
        page = executed.with_suffix(".html")
        subprocess.run([BIN / "weasyprint", page, page.with_suffix(".pdf")], check=True, capture_output=True)
        subprocess.run(["soffice", f"-env:UserInstallation={(out / 'soffice-profile').as_uri()}", "--headless",
                        "--convert-to", "docx:MS Word 2007 XML", "--outdir", out, page],
                       check=True, capture_output=True, timeout=300)
    return []


def nianbao_run(paths: list[Path], out: Path, workers: int, scheduler: str | None = None,
                documents: bool = True) -> list[int]:
    """`nianbao run` on the generated folder; returns, every 0.2 s of the run, the largest RSS
    (KiB) of the processes that last through it (the client, the warm servers, a Dask
    cluster's processes). A forked notebook lives for one unit: its size is the run's peak."""
    import psutil
    extra = ["--scheduler", scheduler] if scheduler else []
    started = time.perf_counter()
    batch = subprocess.Popen([BIN / "nianbao", "run", paths[0].parents[2], "--out", out, "--workers",
                              str(workers), "--force", *([] if documents else ["--pages-only"]), *extra],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, dict[int, int]]] = []
    while batch.poll() is None:
        try:
            root = psutil.Process(batch.pid)
            rss = {p.pid: p.memory_info().rss // 1024 for p in (root, *root.children(recursive=True))}
            samples.append((time.perf_counter() - started, rss))
        except psutil.Error:
            pass
        time.sleep(0.2)
    stderr = batch.stderr.read()
    assert batch.returncode == 0, stderr[-2000:]
    seen: dict[int, list[float]] = {}
    for moment, rss in samples:
        for pid in rss:
            seen.setdefault(pid, []).append(moment)
    run_time = time.perf_counter() - started
    lasting = {pid for pid, moments in seen.items() if moments[-1] - moments[0] >= run_time / 2}
    return [max(kib for pid, kib in rss.items() if pid in lasting) for _, rss in samples if lasting & rss.keys()]


def _warm_floor_worker():
    from nianbao.documents import pdf, word  # noqa: F401
    from nianbao.render import fonts, sections   # noqa: F401
    fonts.use_cjk_font()


def told(paths: list[Path]) -> dict[Path, str]:
    """What the batch tells each unit (checks.Context as JSON), decided once as the client does:
    narrative.copied over each county-year, not by each unit reading all of its neighbours."""
    from nianbao.batch.context import contexts
    from nianbao.io.params import resolve
    units = resolve(paths)
    return {unit.source: context.to_json()
            for unit, context in zip(units, contexts(units, {u.source: u.source.read_bytes() for u in units}).values())}


@cache
def _notebook_code() -> list[tuple[str, object, object, set]]:
    """The township notebook's cells, compiled once per process: ("markdown", HTML, None, tags) or
    ("code", the statements before the last, the last expression or None, tags)."""
    import ast

    import mistune
    cells = []
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        source, tags = "".join(cell["source"]), set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            cells.append(("markdown", mistune.html(source), None, tags))
        elif cell["cell_type"] == "code" and "parameters" not in tags:
            body = ast.parse(source).body
            last = body.pop() if body and isinstance(body[-1], ast.Expr) else None
            cells.append(("code", compile(ast.Module(body, []), "<cell>", "exec"),
                          last and compile(ast.Expression(last.value), "<cell>", "eval"), tags))
    return cells


def _floor_report(args):
    """One report as the notebook makes it, without a notebook: its cells' code run as plain
    Python in one namespace (the parameters set as papermill sets them), the value each cell
    ends with kept as the page shows it, its headings rendered from their markdown; then the
    two pages (the public one without the review-only cells) written. No kernel, IPython,
    papermill or nbconvert: the library's own work."""
    from nianbao.io.files import atomic_write
    from nianbao.notebook.export import REVIEW_ONLY, stylesheet
    from nianbao.site.paths import report_stem
    path, out, context, documents = args
    namespace = {"__name__": "__main__", "data_path": str(path), "previous_path": "", "context": context}
    pieces = []                           # (HTML, review only)
    for kind, code, last, tags in _notebook_code():
        if kind == "markdown":
            pieces.append((code, False))
            continue
        exec(code, namespace)
        shown = last and eval(last, namespace)
        html = shown._repr_html_() if hasattr(shown, "_repr_html_") else None
        if html:                          # (HTML, metadata) when the object has metadata
            pieces.append((html[0] if isinstance(html, tuple) else html, REVIEW_ONLY in tags))
    report = namespace["report"]
    stem = report_stem(out, report.county, report.year, report.short_name)
    for suffix, public in ((".html", False), (".public.html", True)):
        body = "".join(html for html, review_only in pieces if not (public and review_only))
        page = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{report.title}</title>'
                f"<style>{stylesheet()}</style></head><body>{body}</body></html>")
        atomic_write(stem.parent / f"{stem.name}{suffix}", page)
    if documents:                         # from the public page, as the batch makes them
        from nianbao.documents.pdf import pdf_bytes
        from nianbao.documents.word import docx_bytes
        atomic_write(stem.parent / f"{stem.name}.pdf", pdf_bytes(page, report.title))
        atomic_write(stem.parent / f"{stem.name}.docx", docx_bytes(page, report.title))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def floor(paths: list[Path], out: Path, workers: int, documents: bool = True) -> list[int]:
    context = told(paths)
    with get_context("fork").Pool(workers, initializer=_warm_floor_worker) as pool:
        return list(pool.imap_unordered(_floor_report, [(p, out, context[p.resolve()], documents) for p in paths],
                                        chunksize=1))


# ---------------------------------------------------------------------------------------------
# Running one way in a subprocess of its own, and the report

def same_pages(made: Path, floor_made: Path, sample: int = 3) -> None:
    """The floor is a floor only if it makes the pages (b) makes: the first few units' review
    and public pages must show the same text and the same pictures."""
    from bs4 import BeautifulSoup

    from nianbao.site.nav import empty_slot

    def seen(page: Path) -> tuple[list[str], list[str]]:
        # the site's navigation, which the client fills after the run (2 ms), is no part of a report
        soup = BeautifulSoup(empty_slot(page.read_bytes()).decode("utf-8"), "html.parser")
        return soup.body.get_text("\n", strip=True).splitlines(), [img["src"] for img in soup.find_all("img")]
    pages = sorted(p for p in made.rglob("*.html") if p.name not in ("index.html", "summary.html"))
    for page in pages[:2 * sample]:
        if seen(page) != seen(floor_made / page.relative_to(made)):
            raise SystemExit(f"the floor's {page.relative_to(made)} is not the page nianbao run made")


def way(name: str, paths: list[Path], out: Path, workers: int) -> dict:
    """Time one way; in the subprocess that runs it (see --way)."""
    produce = {"naive": naive, "floor": floor, "floor-pages": floor, "nianbao": nianbao_run,
               "nianbao-pages": nianbao_run, "dask-1": nianbao_run, "dask-2": nianbao_run}[name]
    kwargs = {"scheduler": "local"} if name.startswith("dask") else {}
    if name.endswith("-pages") or name.startswith("dask"):
        kwargs["documents"] = False
    workers = int(name[-1]) if name.startswith("dask") else workers
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    worker_peaks = produce(paths, out, workers, **kwargs)
    seconds = time.perf_counter() - started
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= len(paths), f"{name}: {len(pages)} pages for {len(paths)} reports"
    if "documents" not in kwargs:
        for suffix in ("pdf", "docx"):
            made = len(list(out.rglob(f"*.{suffix}")))
            assert made == len(paths), f"{name}: {made} {suffix} files for {len(paths)} reports"
    return {"per_report": seconds / len(paths), "reports": len(paths), "how": produce.__name__,
            "peak_mib": max(resource.getrusage(who).ru_maxrss for who in
                            (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024,
            # the largest lasting process (a worker; for `nianbao run`: the client, a server, a
            # Dask process) after 10 %, 50 % and 100 % of the reports (for `nianbao run`: of
            # the run's time): flat when memory does not grow with the work done
            "worker_mib": [max(worker_peaks[:max(1, len(worker_peaks) * k // 10)]) / 1024
                           for k in (1, 5, 10)] if worker_peaks else []}


def measure(name: str, paths: list[Path], folder: Path, workers: int) -> dict:
    listing = folder / f"{name}.txt"
    listing.write_text("\n".join(map(str, paths)), encoding="utf-8")
    done = subprocess.run([sys.executable, __file__, "--way", name, "--paths", listing,
                           "--out", folder / f"out-{name}", "--workers", str(workers)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """The fastest of several runs of a way (the least disturbed by other load), with the
    highest memory seen in any of them."""
    fastest = min(runs, key=lambda r: r["per_report"])
    return {**fastest, "peak_mib": max(r["peak_mib"] for r in runs), "runs": len(runs)}


LABELS = {"naive": "(a) papermill, nbconvert, weasyprint, soffice", "nianbao": "(b) nianbao run (local pool)",
          "nianbao-pages": "(b') … --pages-only", "floor": "(c) floor, no notebook",
          "floor-pages": "(c') … pages only", "dask-1": "    nianbao run --scheduler local, 1 worker",
          "dask-2": "    … 2 workers"}


def size_table(n: int, results: dict) -> None:
    print(f"\n{n} reports{'':32s}{'reports':>8s}{'runs':>5s}{'s/report':>10s}{'peak MiB':>10s}"
          "  largest lasting process MiB at 10/50/100 % of the run")
    for name, r in results.items():
        trend = "/".join(f"{m:.0f}" for m in r["worker_mib"]) or "-"
        print(f"{LABELS[name]:46s}{r['reports']:8d}{r['runs']:5d}{r['per_report']:10.3f}{r['peak_mib']:10.0f}  {trend}")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--n", type=int, default=200, help="township-years of the large run (default 200)")
    options.add_argument("--county", type=int, default=24, help="township-years of a county (default 24)")
    options.add_argument("--workers", type=int, default=os.cpu_count(), help="processes (default: one per core)")
    options.add_argument("--naive", type=int, default=10, help="reports timed for (a) (default 10)")
    options.add_argument("--rounds", type=int, default=3,
                         help="(b) and (c), and the two Dask runs, run this many times, alternately; "
                              "the fastest counts (default 3)")
    options.add_argument("--no-dask", dest="dask", action="store_false",
                         help="leave out `nianbao run --scheduler local` (1 and 2 workers, at N)")
    options.add_argument("--way", help=argparse.SUPPRESS)
    options.add_argument("--paths", type=Path, help=argparse.SUPPRESS)
    options.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.way:                             # inside the subprocess of one way
        paths = [Path(p) for p in args.paths.read_text(encoding="utf-8").splitlines()]
        print(json.dumps(way(args.way, paths, args.out, args.workers)))
        return

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        folder = Path(tmp)
        print(f"{args.workers} workers, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
              f"load average before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}", flush=True)
        sizes = {}
        for n in dict.fromkeys((args.county, args.n)):
            paths = generate(folder / f"data-{n}", n)
            print(f"{n} township-years ({sum('/2020/' in str(p) for p in paths)} of edition 2019, "
                  f"{sum('/2021/' in str(p) for p in paths)} of edition 2021)", flush=True)
            sizes[n] = paths
        largest = sizes[args.n]
        sample = largest[:max(2, min(args.naive, args.n))]
        naive_result = best([measure("naive", sample, folder, args.workers)])
        results = {}
        for n, paths in sizes.items():
            sub = folder / f"n{n}"
            sub.mkdir()
            ways = ("nianbao", "nianbao-pages", "floor", "floor-pages")
            rounds = [[measure(name, paths, sub, args.workers) for name in ways] for _ in range(args.rounds)]
            results[n] = {"naive": naive_result, **{name: best([r[i] for r in rounds]) for i, name in enumerate(ways)}}
            same_pages(sub / "out-nianbao", sub / "out-floor")
        if args.dask:               # as (b) and (c): alternately, the fastest counts
            sub = folder / "dask"
            sub.mkdir()
            rounds = [(measure("dask-1", largest, sub, args.workers), measure("dask-2", largest, sub, args.workers))
                      for _ in range(args.rounds)]
            results[args.n]["dask-1"] = best([one for one, _ in rounds])
            results[args.n]["dask-2"] = best([two for _, two in rounds])
        costs = fixed_costs(sizes[args.county], folder)
        unit = unit_breakdown(sizes[args.county][0])

    for n, res in results.items():
        size_table(n, res)
        per = {name: r["per_report"] for name, r in res.items()}
        print(f"  a/b = {per['naive'] / per['nianbao']:.1f}   b/c = {per['nianbao'] / per['floor']:.2f}   "
              f"a/c = {per['naive'] / per['floor']:.1f}   b'/c' = {per['nianbao-pages'] / per['floor-pages']:.2f}")
        print(f"  with the documents / pages only: b/b' = {per['nianbao'] / per['nianbao-pages']:.2f}   "
              f"c/c' = {per['floor'] / per['floor-pages']:.2f}")
        if "dask-2" in per:
            print(f"  Dask 2 workers / local pool = {per['dask-2'] / per['nianbao-pages']:.2f}   "
                  f"Dask 1 worker / 2 workers = {per['dask-1'] / per['dask-2']:.2f}")
    print(f"\nfixed costs (county of {args.county})")
    for name, seconds in costs.items():
        print(f"  {name:52s}{seconds:7.3f} s")
    print("\none unit (the first of the county), warm process, fork engine")
    for name, seconds in unit.items():
        print(f"  {name:52s}{seconds:7.3f} s")
    load = os.getloadavg()
    print(f"\nload average after {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}. (a) is timed on the "
          f"first {len(sample)} reports of {args.n}, one at a time as the naive loop runs, and scaled per report.")


# ---------------------------------------------------------------------------------------------
# Where the time goes

def _seconds(command: list, **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - started


def fixed_costs(paths: list[Path], folder: Path) -> dict[str, float]:
    """What a run pays once: the client's start (Python and its imports), a worker's start until
    it is warm, the county summary (as the batch recorded it), an unchanged rerun."""
    out = folder / "fixed"
    subprocess.run([BIN / "nianbao", "run", paths[0].parent, "--out", out, "--workers", "2", "--force"],
                   check=True, capture_output=True)
    run = json.loads(next(out.rglob("run.json")).read_text(encoding="utf-8"))
    warm = ("import time; t = time.perf_counter(); from nianbao.batch.unit import warm; warm('fork'); "
            "print(time.perf_counter() - t)")
    return {
        "client: python -c 'import nianbao.batch.run, nianbao.cli'":
            _seconds([sys.executable, "-c", "import nianbao.batch.run, nianbao.cli"]),
        "a worker's warm-up (imports, exporters, font), one process":
            float(subprocess.run([sys.executable, "-c", warm], check=True, capture_output=True,
                                 text=True).stdout),
        "county summary notebook (in a warm worker)": run["summary"]["seconds"],
        "unchanged rerun of the county (whole command)":
            _seconds([BIN / "nianbao", "run", paths[0].parent, "--out", out, "--workers", "2"]),
    }


def unit_breakdown(path: Path) -> dict[str, float]:
    """One unit's parts, each the best of 5, in one warm process: what the worker does (read and
    check, the notebook in a forked child, two exports) and, of the notebook, what the floor
    does without one (charts, tables)."""
    from nianbao.batch.unit import build, warm
    from nianbao.checks import Context, check_file, handed_over
    from nianbao.notebook.export import PAGES, export_html
    from nianbao.notebook.runner import execute
    from nianbao.render import charts, sections
    warm("fork")

    def best_of(fn, runs=5):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    context = told(sorted(path.parent.glob("*.yaml")))[path.resolve()]
    checked = check_file(path, None, Context.from_json(context))
    with handed_over(checked, path):
        nb = execute(path, engine="fork", context=context)
        notebook = best_of(lambda: execute(path, engine="fork", context=context))
    return {
        "whole unit (unit.build: read, check, notebook, export)":
            best_of(lambda: build(str(path), path, NOTEBOOK, None, display=path.name, engine="fork",
                                  context=context, documents=False)),
        "  read and check the data file (once: handed to the child)":
            best_of(lambda: check_file(path, None, Context.from_json(context))),
        "  notebook in a forked child (papermill, fork engine)": notebook,
        "    of which: three charts": best_of(lambda: charts.all_charts(checked.report)),
        "    of which: three tables": best_of(lambda: [sections.table(checked.report, t, checked.findings)
                                                       for t in ("proactive", "requests", "appeals")]),
        "  export of the two pages (nbconvert)": best_of(lambda: [export_html(nb, p, "x") for p in PAGES]),
    }


if __name__ == "__main__":
    main()
