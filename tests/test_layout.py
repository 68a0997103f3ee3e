"""The house: folders by stage of the flow, no import circles, lower stages never import higher
ones, small modules. Built from the source with `ast`, every import counted (lazy ones too)."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "lib" / "nianbao"
# the flow, lowest first: a module may import its own stage and the stages before it
STAGES = ("errors", "model", "io", "importer", "checks", "render", "documents", "notebook", "site",
          "batch", "cli")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules this file imports (anywhere in it), resolved to module names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("nianbao"):
                continue
            for alias in node.names:       # `from . import charts` names a module
                full = f"{target}.{alias.name}"
                out.add(full if full in known else target)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("nianbao")}
    return {m for m in out if m in known and m != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, name, set(found)) for name, path in found.items()}


def stage(module: str) -> int:
    parts = module.split(".")
    return 0 if len(parts) == 1 else STAGES.index(parts[1])


def test_the_folders_are_the_stages_of_the_flow():
    top = {p.name for p in PACKAGE.iterdir() if not p.name.startswith(("_", "."))
           and p.name != "__pycache__" and not p.name.endswith(".egg-info")}
    assert top == {"errors.py", "model", "io", "importer", "checks", "render", "documents",
                   "notebook", "site", "batch", "cli.py"}


def test_no_import_circles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import circles: " + "; ".join(" → ".join(c) for c in cycles)


def test_lower_stages_never_import_higher_ones():
    wrong = [f"{a} → {b}" for a, targets in graph().items() for b in targets if stage(b) > stage(a)]
    assert not wrong, "a lower stage imports a higher one: " + ", ".join(sorted(wrong))


def test_the_graph_sees_imports():
    """The test above can fail: the graph holds the imports we know exist, lazy ones included."""
    edges = graph()
    assert "nianbao.model.report" in edges["nianbao.io.yaml_reader"]
    assert "nianbao.notebook.runner" in edges["nianbao.batch.unit"]        # imported inside build()
    assert "nianbao.render.tables" in edges["nianbao.render.sections"]  # `from . import tables`
    assert stage("nianbao.batch.unit") > stage("nianbao.render.sections") > stage("nianbao.io")


def test_modules_are_small():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_user_errors_live_in_one_place_with_their_exit_codes():
    from nianbao import errors
    user_errors = [c for c in vars(errors).values()
                   if isinstance(c, type) and issubclass(c, errors.NianbaoError)]
    assert {c.__name__ for c in user_errors} >= {"DataFileError", "PreviousFileError", "UnsafeName",
                                                 "NotAReport", "FontMissing"}
    assert all(c.exit_code == errors.EXIT_UNUSABLE for c in user_errors)
    defined_elsewhere = [f"{name}: {node.name}" for name, path in modules().items() if name != "nianbao.errors"
                         for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                         if isinstance(node, ast.ClassDef)
                         and any(getattr(b, "id", "").endswith(("Error", "Missing")) or
                                 getattr(b, "id", "") in {c.__name__ for c in user_errors}
                                 for b in node.bases)]
    assert not defined_elsewhere, defined_elsewhere
