# `make report` and `make test` do all the set-up a fresh machine needs; a second call is quick.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
KERNEL := $(VENV)/share/jupyter/kernels/nianbao/kernel.json

.PHONY: report test setup system-deps bench lab clean

# Exit 1 of `nianbao run` means some units' data have errors: their reports are still made (findings on top).
report: setup
	$(BIN)/nianbao run || test $$? -eq 1

test: setup system-deps
	$(BIN)/python -m pytest -q

# Options of benchmarks/batch.py, e.g. make bench BENCH="--n 2000" (a province)
bench: setup
	$(BIN)/python benchmarks/batch.py $(BENCH)

# JupyterLab on the project, the township notebook open; options: make lab ARGS="--port 8899 --no-browser"
lab: setup
	$(BIN)/nianbao lab $(ARGS)

setup: $(READY) $(KERNEL) fonts

# The venv and the package with its test extras.
$(READY): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# The Jupyter kernel `nianbao`, registered inside the venv; before any cell it runs the package's
# startup file (every chart draws Chinese, wherever its cell stands: lib/nianbao/render/startup.py).
$(KERNEL): $(READY) Makefile
	$(BIN)/python -m ipykernel install --sys-prefix --name nianbao --display-name "nianbao (Python 3)" \
		--env PYTHONSTARTUP "$$($(BIN)/python -c 'import nianbao.render.startup as s; print(s.__file__)')" >/dev/null

# Licence-clean CJK fonts (Noto CJK: OFL; AR PL UKai: Arphic) for the charts and the printed
# report, when the machine has none.
fonts:
	@bash scripts/system-deps.sh fonts

# Headless Chromium for the browser test; LibreOffice Calc to recalculate the workbook's checks;
# LibreOffice Writer and poppler to make, open, render and read the Word and PDF files.
system-deps:
	@bash scripts/system-deps.sh chromium libreoffice writer poppler pango

clean:
	rm -rf $(VENV) output/*/
