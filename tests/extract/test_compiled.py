"""The mypyc-compiled extractor is built from the current sources and answers as the Python does.

`setup.py` compiles the per-figure modules to C; a compiled module shadows its .py, so a stale build
would silently run old rules. These tests fail on a stale build and on any difference between the
compiled and the interpreted extractor over the sample declarations and the seed notice.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extract import extract_figures

REPO = Path(__file__).resolve().parents[2]
COMPILED = [line.strip().strip('",') for line in (REPO / "setup.py").read_text(encoding="utf-8").splitlines()
            if line.strip().startswith('"extract/')]
TEXTS = sorted((REPO / "corpora" / "samples" / "src").glob("*.md")) + [REPO / "corpora" / "campaigns" / "2022.notice.txt"]


def _is_compiled(module: str) -> bool:
    return not importlib.import_module(module).__file__.endswith(".py")


def _dump(texts: list[str]) -> str:
    return json.dumps([[f.to_json_dict() for f in extract_figures(t)] for t in texts], ensure_ascii=False)


def test_setup_names_the_modules_on_the_figure_path():
    assert "extract/scanner.py" in COMPILED and "extract/figures.py" in COMPILED
    assert all((REPO / path).is_file() for path in COMPILED)


@pytest.mark.parametrize("path", COMPILED)
def test_a_compiled_module_is_not_older_than_its_source(path):
    module = path.removesuffix(".py").replace("/", ".")
    if not _is_compiled(module):
        pytest.skip(f"{module} runs interpreted (JILI_PURE_PYTHON build)")
    built = Path(importlib.import_module(module).__file__)
    assert built.stat().st_mtime >= (REPO / path).stat().st_mtime, f"{built.name} is stale: run `make setup`"


def test_compiled_and_interpreted_extraction_give_identical_records(tmp_path):
    if not any(_is_compiled(p.removesuffix(".py").replace("/", ".")) for p in COMPILED):
        pytest.skip("the extractor runs interpreted (JILI_PURE_PYTHON build)")
    texts = [p.read_text(encoding="utf-8") for p in TEXTS]
    texts += [line for t in texts for line in t.splitlines() if line.strip()]
    shutil.copytree(REPO / "extract", tmp_path / "extract", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    (tmp_path / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import extract.scanner as s; "
        "assert s.__file__.endswith('.py'), s.__file__; from extract import extract_figures; "
        "texts = json.load(open(sys.argv[2], encoding='utf-8')); "
        "sys.stdout.write(json.dumps([[f.to_json_dict() for f in extract_figures(t)] for t in texts], ensure_ascii=False))"
    )
    interpreted = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(tmp_path / "texts.json")],
                                 capture_output=True, text=True, encoding="utf-8", check=True).stdout
    assert interpreted == _dump(texts)
    assert len(json.loads(interpreted)) == len(texts) and any(json.loads(interpreted))
