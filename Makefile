# `make report` and `make test` do all the set-up a fresh Debian machine needs.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
APT_PKGS := fonts-noto-cjk poppler-utils libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: report test deps system bench bench-quick clean

report: deps
	$(BIN)/kamreport build inputs/sample-zh.xlsx --out out
	$(BIN)/kamreport build inputs/sample-en.xlsx --out out/en
	@echo "Open out/*/index.html (Chinese sample) and out/en/*/index.html (English sample)."

test: deps
	$(BIN)/python -m pytest -q

deps: system $(STAMP)

# Debian packages the PDFs need (README "Installing with pip"): Pango
# (WeasyPrint's layout), DejaVu and Noto CJK fonts (Chinese PDFs; build
# refuses without one), HarfBuzz subsetting (fast PDF writing: without it one
# warning and several times slower), fontconfig's fc-match (one font subset per font in
# the booklet); poppler-utils for the tests (pdftotext, pdffonts, pdftoppm).
system:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(STAMP): setup.cfg pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

bench: deps
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/run.py

bench-quick: deps
	$(BIN)/python bench/run.py --quick

clean:
	rm -rf out $(VENV) *.egg-info
