"""The Chinese examples in the extract docstrings are run, so they stay true.

They run on the .py sources, loaded afresh: a module compiled by mypyc (see setup.py) keeps no
docstrings that doctest can find, and the compiled build is checked against the sources elsewhere.
"""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path

import pytest

EXTRACT = Path(__file__).resolve().parents[2] / "extract"
MODULES = ["numerals", "periods", "model", "lexicon", "scanner", "context", "metric", "evaluate", "tables",
           "suspect", "figures", "naming"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    spec = importlib.util.spec_from_file_location(f"_doctested_extract_{name}", EXTRACT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    try:
        spec.loader.exec_module(module)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    finally:
        del sys.modules[spec.name]
    assert result.attempted > 0 and result.failed == 0
