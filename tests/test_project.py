"""The project's own files stay in step: dependencies, CI, README commands."""
import re
import tomllib

import yaml

from conftest import ROOT


def _names(requirements):
    return {re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].strip().lower() for r in requirements}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    # what conda-forge lacks is installed by conda's pip (its "pip:" list), beside the project itself
    from_pip = [d for item in env["dependencies"] if isinstance(item, dict) for d in item.get("pip", [])]
    listed = _names(d for d in env["dependencies"] if isinstance(d, str)) - {"python", "pip"}
    listed |= _names(d for d in from_pip if not d.startswith("-e"))
    assert listed == wanted


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make report" in readme


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", _prose(page), re.M)}


def _prose(page) -> str:
    """The page without its fenced code blocks (a link in code is an example, not a link)."""
    return re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)


def test_every_local_link_of_the_readme_and_docs_resolves():
    broken = []
    for page in DOCS:
        for target in LINK.findall(_prose(page)):
            if re.match(r"[a-z]+:", target):          # http:, https:, mailto:
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert len(DOCS) > 10 and not broken, broken


def test_the_readme_reads_in_two_screens():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200
    for page in re.findall(r"\]\((docs/[^)#]+\.md)", "\n".join(lines)):
        assert (ROOT / page).exists(), page


def test_nothing_points_outside_the_repository():
    # the tests' fixtures and the data contract live here; a clone needs nothing beside it
    outside = re.compile(r"\.\./shared\b|\bshared/(spec|fixtures)\b")
    skip = {".git", ".venv", "output", "node_modules", "__pycache__"}
    found = [f"{p.relative_to(ROOT)}:{n}" for p in ROOT.rglob("*")
             if p.is_file() and not skip & set(p.relative_to(ROOT).parts)
             and not any(part.endswith(".egg-info") for part in p.relative_to(ROOT).parts)   # built
             and p.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".ipynb", ".j2", ".sh", ""}
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if outside.search(line)]
    assert not found, found
