"""The mypyc-compiled modules are built from the current sources and answer as the Python does.

`setup.py` compiles the hot modules to C; a compiled module shadows its .py, so a stale build would
silently run old rules. These tests fail on a stale build and on any difference between compiled and
interpreted figure extraction, text-layer measurement and sentence splitting over the sample
declarations and the seed notice.
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
from ingest.quality import measure
from ingest.segment import sentence_bounds

REPO = Path(__file__).resolve().parents[1]
COMPILED = [line.strip().split('"')[1] for line in (REPO / "setup.py").read_text(encoding="utf-8").splitlines()
            if line.startswith('    "') and line.strip().split('"')[1].endswith(".py")]
TEXTS = sorted((REPO / "corpora" / "samples" / "src").glob("*.md")) + [REPO / "corpora" / "campaigns" / "2022.notice.txt"]

# what each run computes, in the test process (compiled) and in a subprocess on copied sources
_RESULTS = (
    "[[[f.to_json_dict() for f in extract_figures(t)] for t in texts],"
    " [sentence_bounds(t) for t in texts], [repr(measure(t)) for t in texts]]"
)


def _module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _is_compiled(module: str) -> bool:
    return not importlib.import_module(module).__file__.endswith(".py")


def test_setup_names_the_modules_on_the_hot_paths():
    assert {"extract/scanner.py", "extract/figures.py", "ingest/quality.py", "ingest/segment.py"} <= set(COMPILED)
    assert all((REPO / path).is_file() for path in COMPILED)


@pytest.mark.parametrize("path", COMPILED)
def test_a_compiled_module_is_not_older_than_its_source(path):
    if not _is_compiled(_module(path)):
        pytest.skip(f"{path} runs interpreted (JILI_PURE_PYTHON build)")
    built = Path(importlib.import_module(_module(path)).__file__)
    assert built.stat().st_mtime >= (REPO / path).stat().st_mtime, f"{built.name} is stale: run `make setup`"


def test_compiled_and_interpreted_modules_give_identical_results(tmp_path):
    if not any(_is_compiled(_module(p)) for p in COMPILED):
        pytest.skip("nothing is compiled (JILI_PURE_PYTHON build)")
    texts = [p.read_text(encoding="utf-8") for p in TEXTS]
    texts += [line for t in texts for line in t.splitlines() if line.strip()]
    for package in sorted({p.split("/")[0] for p in COMPILED}):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    (tmp_path / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    script = (
        "import importlib, json, sys; sys.path.insert(0, sys.argv[1])\n"
        f"for m in {[_module(p) for p in COMPILED]!r}:\n"
        "    assert importlib.import_module(m).__file__.endswith('.py'), m\n"
        "from extract import extract_figures\nfrom ingest.quality import measure\n"
        "from ingest.segment import sentence_bounds\n"
        "texts = json.load(open(sys.argv[2], encoding='utf-8'))\n"
        f"sys.stdout.write(json.dumps({_RESULTS}, ensure_ascii=False))\n"
    )
    interpreted = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(tmp_path / "texts.json")],
                                 capture_output=True, text=True, encoding="utf-8", check=True).stdout
    compiled = json.dumps(eval(_RESULTS, {"extract_figures": extract_figures, "sentence_bounds": sentence_bounds,
                                          "measure": measure, "texts": texts}), ensure_ascii=False)
    assert interpreted == compiled
    figures, bounds, _quality = json.loads(interpreted)
    assert any(figures) and all(bounds[: len(TEXTS)])
