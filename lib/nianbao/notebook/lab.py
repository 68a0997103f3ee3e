"""`nianbao lab`: JupyterLab on the whole project, the township notebook open, the nianbao kernel.

Started from the venv's own `jupyter` (no activation needed: the venv's bin/ is put first on the
PATH of the lab and of the kernels it starts); every option is JupyterLab's and passes through.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

from ..io.params import DEFAULT_NOTEBOOK, PROJECT


def lab_command(options: list[str], root: Path = PROJECT) -> list[str]:
    """The command line that starts the lab: the project as its root, the notebook open."""
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter if jupyter.exists() else "jupyter"), "lab",
           f"--ServerApp.root_dir={root}", str(DEFAULT_NOTEBOOK.relative_to(root))]
    if os.geteuid() == 0 and "--allow-root" not in options:
        cmd.append("--allow-root")
    return cmd + options


def start_lab(options: list[str]) -> NoReturn:
    cmd = lab_command(options)
    if "--allow-root" in cmd and "--allow-root" not in options:
        print("nianbao lab：当前以 root 身份运行，已自动加上 --allow-root。", file=sys.stderr)
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent),
                                                 os.environ.get("PATH", "")]))
    os.chdir(PROJECT)
    os.execvpe(cmd[0], cmd, env)        # the lab replaces this process: Ctrl-C stops it directly
