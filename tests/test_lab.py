"""JupyterLab as staff use it: `nianbao lab` started from the venv without activation, the
township notebook opened in headless Chromium and Run All clicked; the report must look as on
the review page (grid lines, marked cells, no zebra rows), in the light and the dark theme."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import nbformat
import pytest

from conftest import BIN, ROOT
from browser import ARGS, CHROMIUM

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test`")
NOTEBOOK = ROOT / "notebooks" / "township_report.ipynb"
BROKEN = "data/商水县/2020/黄寨镇.yaml"     # demonstration data with an outcome row that breaks （七）总计
RED, YELLOW = "rgb(255, 214, 214)", "rgb(255, 241, 194)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """`nianbao lab` on a random port with a token; its notebook: the township notebook pointed at
    a data file with errors, in output/ (the lab's root is the project; nothing tracked is touched)."""
    tmp = tmp_path_factory.mktemp("lab")
    folder = ROOT / "output" / "lab-test"
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("data/商水县/2020/姚集镇.yaml", BROKEN)
    nbformat.write(nb, folder / "township_report.ipynb")
    # no autosave; every cell in the page (JupyterLab 4 otherwise detaches cells out of view); no news
    for plugin, value in (("docmanager-extension/plugin", {"autosave": False}),
                          ("notebook-extension/tracker", {"windowingMode": "none"}),
                          ("apputils-extension/notification", {"fetchNews": "false"})):
        path = tmp / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, HOME=str(tmp), JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), PATH="/usr/bin:/bin")   # no venv on the PATH
    server = subprocess.Popen(
        [str(BIN / "nianbao"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--LabApp.user_settings_dir={tmp / 'settings'}",
         f"--LabApp.workspaces_dir={tmp / 'workspaces'}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert server.poll() is None, server.stdout.read()
            time.sleep(0.5)
    yield {"url": url, "token": token, "server": server}
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


def styles(page, selector: str, *props: str) -> list[dict]:
    return page.evaluate("""([sel, props]) => [...document.querySelectorAll(sel)].map(e => {
        const s = getComputedStyle(e); return Object.fromEntries(props.map(p => [p, s.getPropertyValue(p)])); })""",
                         [selector, list(props)])


def test_run_all_in_the_lab_shows_the_review_page_look_in_light_and_dark(lab):
    from playwright.sync_api import sync_playwright
    before = NOTEBOOK.read_bytes()
    shots = ROOT / "output" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.goto(f"{lab['url']}/lab/tree/output/lab-test/township_report.ipynb?token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        # the notebook's own kernel starts by itself (no kernel dialog): the status bar says so
        page.wait_for_function("document.querySelector('.jp-StatusBar-Widget') && "
                               "document.body.innerText.includes('nianbao (Python 3) | Idle')", timeout=120_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        page.wait_for_selector(".jp-OutputArea-output p.signature", state="attached", timeout=180_000)
        page.wait_for_function("![...document.querySelectorAll('.jp-InputArea-prompt')]"
                               ".some(e => e.textContent.includes('*'))", timeout=180_000)
        # the nianbao kernel ran it
        with urllib.request.urlopen(f"{lab['url']}/api/sessions?token={lab['token']}") as r:
            sessions = json.load(r)
        assert [s["kernel"]["name"] for s in sessions] == ["nianbao"]
        # no error, no stderr in any output
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert page.locator(".jp-OutputArea-output:has-text('Traceback')").count() == 0
        # the report, as on the review page
        assert page.locator("section.findings li.error").count() >= 1
        assert page.locator("p.demo-banner").count() == 1
        # 图1–3, and 图4 of the unit's years (黄寨镇 has a 2019 file)
        assert page.locator("figure.chart img").count() + page.locator("figure.chart.empty").count() == 4
        flagged = styles(page, "table.form-table td.flag-error", "background-color", "color")
        assert flagged and all(s["background-color"] == RED for s in flagged)
        cells = styles(page, "table.form-table td, table.form-table th", "border-top-style", "border-top-width")
        assert len(cells) > 100 and all(s == {"border-top-style": "solid", "border-top-width": "1px"} for s in cells)
        rows = styles(page, "table.form-table tbody tr", "background-color")
        assert {s["background-color"] for s in rows} == {"rgba(0, 0, 0, 0)"}            # no zebra rows
        assert styles(page, "section.findings", "border-top-color")[0]["border-top-color"] == "rgb(178, 34, 34)"
        assert styles(page, "table.requests th.label", "text-align")[0]["text-align"] == "left"
        page.locator("td.flag-error").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "lab-light.png"))
        # the dark theme: the marks stay, their text readable
        page.get_by_role("menuitem", name="Settings", exact=True).click()
        page.get_by_text("Theme", exact=True).hover()
        page.get_by_text("JupyterLab Dark", exact=True).click()
        page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
        page.wait_for_timeout(1000)
        flagged = styles(page, "table.form-table td.flag-error", "background-color", "color")
        assert all(s == {"background-color": RED, "color": "rgb(0, 0, 0)"} for s in flagged)
        text = styles(page, "table.form-table td.num:not(.flag-error)", "color")[0]["color"]
        assert text != "rgb(0, 0, 0)"                                  # plain cells follow the theme
        # marked cells (red errors, yellow warnings: 黄寨镇's trend.jump) keep black text and lines
        borders = styles(page, "table.form-table td:not(.flag-error):not(.flag-warning)", "border-top-color")
        assert {b["border-top-color"] for b in borders} == {text}        # grid lines visible on dark
        page.screenshot(path=str(shots / "lab-dark.png"))
        browser.close()
    assert NOTEBOOK.read_bytes() == before
