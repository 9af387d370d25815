"""Build step: compile the hot pure-Python modules to C with mypyc (as Black ships).

Everything else about the package lives in pyproject.toml. Figure extraction runs per number, and the
text-layer check and sentence splitting per character, over every page that jili ingests: plain Python
working on strings. Compiled by mypyc from the same type-annotated source, extraction runs 1.5x
faster with identical output (`bench/bench_extract.py`, `tests/test_compiled.py`). The .py files stay
the source of truth: `make setup` recompiles when one changes, and `JILI_PURE_PYTHON=1 pip install -e .`
builds without a C compiler.
"""

import os

from setuptools import setup

# the modules on the per-figure and per-character paths; pydantic models and I/O stay interpreted
COMPILED = [
    "extract/context.py",
    "extract/figures.py",
    "extract/lexicon.py",
    "extract/metric.py",
    "extract/naming.py",
    "extract/numerals.py",
    "extract/periods.py",
    "extract/scanner.py",
    "extract/suspect.py",
    "ingest/quality.py",  # the per-page text-layer check, a loop over every character
    "ingest/segment.py",  # sentence bounds, a loop over every character
]

ext_modules = []
if os.environ.get("JILI_PURE_PYTHON", "") not in ("1", "true", "yes"):
    from mypyc.build import mypycify

    ext_modules = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *COMPILED], opt_level="3", group_name="jili_compiled")

setup(ext_modules=ext_modules)
