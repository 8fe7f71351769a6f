# Pishkhan Desk — developer commands. `make run` and `make test` are the two set-up commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

# Debian/Ubuntu packages the tests and the app need (OCR, PDF, QR, X, PostgreSQL, printing, a
# Secret Service keyring: dbus-run-session + gnome-keyring, secret-tool to read it back, and SANE
# scanners: its `test` backend is the scanner of the tests).
DEB_PACKAGES := tesseract-ocr tesseract-ocr-fas poppler-utils libzbar0 xvfb xdotool imagemagick \
	postgresql libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3 x11-utils x11-xkb-utils xkb-data cups-client \
	dbus gnome-keyring libsecret-tools \
	sane-utils libsane1 libsane-common \
	chromium chromium-driver

.PHONY: run test check deps deps-if-root venv screenshots bench dist clean demo

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# System packages (Debian/Ubuntu, as root).
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES)

# `make test` installs the system packages when it can (root on Debian/Ubuntu), else goes on:
# tests that need a missing tool skip with the reason (and fail under CI=true).
deps-if-root:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then $(MAKE) deps; else echo "system packages: all present"; fi; \
	else echo "not root or no apt-get: skipping system packages (see README)"; fi

# The window must be visible: drop the offscreen platform this Makefile sets for the tests.
run: $(STAMP)
	$(if $(filter file,$(origin QT_QPA_PLATFORM)),env -u QT_QPA_PLATFORM) $(VENV)/bin/desk-app demo

demo: run

# Lint, format and types (ruff, mypy; settings in pyproject.toml); CI runs it before the tests.
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: deps-if-root $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

screenshots: $(STAMP)
	$(PY) scripts/screenshots.py docs/screenshots
	$(PY) scripts/screenshots_scan.py docs/screenshots

bench: $(STAMP)
	for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

dist: $(STAMP)
	$(PY) -m pip install -q -e '.[dist]'
	$(VENV)/bin/pyinstaller --noconfirm --clean build.spec
	./dist/desk-app/desk-app self-test

clean:
	rm -rf build dist .pytest_cache
