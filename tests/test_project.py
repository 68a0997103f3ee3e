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
