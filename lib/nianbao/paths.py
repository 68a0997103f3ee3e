"""Where outputs go, and writing them so that nothing is ever half-written."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_UMASK = os.umask(0o022)
os.umask(_UMASK)
UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


class UnsafeName(ValueError):
    pass


def safe_component(name: str, what: str = "名称") -> str:
    """A name usable as one path component: no separator, no '..', no control characters."""
    cleaned = UNSAFE.sub("_", str(name)).strip().strip(".")
    if not cleaned:
        raise UnsafeName(f"{what}“{name}”不能用作文件名")
    return cleaned


def report_stem(out_root: Path, county: str, year: int, short_name: str) -> Path:
    """out_root/<county>/<year>/<short_name> — always inside out_root."""
    root = Path(out_root).resolve()
    stem = root / safe_component(county, "县名") / str(int(year)) / safe_component(short_name, "简称")
    if root not in stem.resolve().parents:
        raise UnsafeName(f"“{short_name}”会写到输出目录之外")
    return stem


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)          # mkstemp makes 0600; outputs are for sharing
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(stem: Path, notebook_text: str, pages: dict[str, str]) -> list[Path]:
    """A unit's executed notebook and its two pages, each written atomically; called only once
    every part is ready, so a failed run never replaces a good earlier output."""
    outputs = [stem.parent / f"{stem.name}{suffix}" for suffix in (".ipynb", ".html", ".public.html")]
    for path, text in zip(outputs, (notebook_text, pages["review"], pages["public"])):
        atomic_write(path, text)
    return outputs
