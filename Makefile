# Two commands for a fresh machine (see README.md): `make pack` builds, `make test` tests.
# Both install what they need first (Chromium from Debian, the Python package).
PYTHON ?= python3
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: install pack briefing test benchmark clean
install: .make/installed

.make/installed: pyproject.toml scripts/install.sh
	PYTHON=$(PYTHON) sh scripts/install.sh
	@mkdir -p .make && touch $@

pack: install
	$(PYTHON) build.py --all --jobs $(JOBS)

test: install
	$(PYTHON) -m pytest

benchmark: install
	$(PYTHON) benchmarks/bench.py

clean:
	rm -rf briefings/*.html briefings/*.pdf briefings/*.docx .make
