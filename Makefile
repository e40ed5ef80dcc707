# The README's two commands. Both create .venv when missing and install with the constraints file
# (torch stays the CPU build); both are idempotent and fast on a second run.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --constraint constraints.txt
JB     := $(VENV)/bin/jupyter-book

.PHONY: book test unit chapters fast-book browser-check clean help mutation

help:
	@echo "make book   build and execute the whole book (full mode) into _build/html"
	@echo "make test   unit tests, every chapter in fast mode, the book from those notebooks, a browser check"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.book-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP) --editable ".[book]"
	@touch $@

$(VENV)/.test-installed: pyproject.toml constraints.txt | $(PY)
	$(PIP) --editable ".[book,test,dask]"
	@touch $@ $(VENV)/.book-installed

book: $(VENV)/.book-installed
	$(JB) build . --warningiserror --keep-going
	@printf '<meta http-equiv="refresh" content="0; url=book/intro.html">\n' > _build/html/intro.html
	@echo "Open the book: file://$(CURDIR)/_build/html/book/intro.html"

test: $(VENV)/.test-installed
	$(PY) -m pytest synutil tests --ignore=tests/test_chapters.py -q
	$(PY) -m pytest tests/test_chapters.py -q -s -p no:cacheprovider
	$(PY) tools/build_fast_book.py
	$(PY) tools/check_numbering.py _build/fast-src/_build/html
	timeout 900 $(PY) tools/check_html.py _build/fast-src/_build/html

clean:
	rm -rf _build .pytest_cache

# Not part of `make test`: applies each plausible bug of tools/mutations/*.yaml to a copy of the tree and runs
# the chapters that must notice it (tens of minutes). Writes the table to benchmarks/MUTATION.md.
mutation: $(VENV)/.test-installed
	$(PY) tools/mutation_check.py --jobs 2 --markdown benchmarks/MUTATION.md
