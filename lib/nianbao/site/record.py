"""run.json: what a county-year's batch ran on (inputs and their hashes, versions) and what
came of each unit. It is also the memory of incremental runs: a unit whose key (the hash of its
inputs, the notebook and the package) is unchanged is not built again.

Kept free of heavy imports: an unchanged batch must finish in moments.
"""
from __future__ import annotations

import hashlib
import json
import platform
from functools import cache
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..io.files import atomic_write
from ..model.indicators import EARLIER_YEARS

PACKAGE = Path(__file__).resolve().parents[1]       # the nianbao package, wherever this module stands
RUN_JSON = "run.json"


def sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@cache
def package_fingerprint() -> str:
    """The version and every source, edition and template file of the package: a change in
    any of them may change a report."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".j2", ".json", ".css")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def unit_key(data: str, previous: str | None, notebook: str, context: str | None = None,
             earlier: tuple[str, ...] = ()) -> str:
    """From the inputs' sha256 hex digests (previous None: there is none; context: what the
    batch tells the unit, batch/context.py; earlier: the years before last year's files that the
    report's table of its years reads) and the package's."""
    digest = hashlib.sha256()
    for part in (data, previous or sha256(b""), notebook, sha256(package_fingerprint().encode()),
                 *((context,) if context else ()), *earlier):
        digest.update(bytes.fromhex(part))
    return digest.hexdigest()


@cache
def versions() -> dict[str, str]:
    found = {"nianbao": __version__, "python": platform.python_version()}
    for name in ("papermill", "nbconvert", "nbclient", "ipykernel", "pandas", "matplotlib", "distributed"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def ours(content) -> bool:
    """A run.json nianbao wrote: another tool's file of that name is no county-year of ours."""
    return (isinstance(content, dict) and isinstance(content.get("units"), list)
            and all(isinstance(r, dict) and "source" in r for r in content["units"])
            and isinstance(content.get("versions"), dict) and "nianbao" in content["versions"])


def earlier_runs(folder: Path) -> list[Path]:
    """The run.json of the same county's earlier years (OUT/<county>/<year-k>/), newest first, up
    to EARLIER_YEARS and stopping at the first year never built: the summary's county by year."""
    found: list[Path] = []
    if not folder.name.isdigit():
        return found
    for k in range(1, EARLIER_YEARS + 1):
        path = folder.parent / str(int(folder.name) - k) / RUN_JSON
        if not path.is_file():
            break
        found.append(path)
    return found


def load_all(out_root: Path) -> dict[Path, dict]:
    """Every county-year's run.json below the output folder: {folder: content}. A folder
    whose run.json nianbao did not write is not one of them (left alone, not listed)."""
    runs = {}
    for path in sorted(Path(out_root).resolve().glob(f"*/*/{RUN_JSON}")):
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue          # unreadable: its units are simply built again
        if ours(content):
            runs[path.parent] = content
    return runs


def write(folder: Path, content: dict) -> None:
    atomic_write(folder / RUN_JSON, encoded(content))


def encoded(content: dict) -> str:
    """run.json's text: a top-level item a line, and one line per unit. (Indented JSON is
    written by the standard library's pure-Python encoder, and run.json is written a few times
    a run; each line here is one call of its C encoder: 43 → 17 ms a write at 100 units.)"""
    def line(value) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)
    items = []
    for key, value in content.items():
        if key == "units" and value:
            value = "[\n  " + ",\n  ".join(map(line, value)) + "\n ]"
        else:
            value = line(value)
        items.append(f" {line(key)}: {value}")
    return "{\n" + ",\n".join(items) + "\n}\n"
