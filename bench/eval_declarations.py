"""Evaluation: the 220 declarations corpus through the service's path, scored against its gold front matter.

    .venv/bin/python bench/eval_declarations.py [--show-misses]

Prints the declaring applicant's accuracy (townships by their own name, with their county), measure
precision/recall/F1 (document level), ineligible declarations flagged, 成文日期 and lateness accuracy.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import Store  # noqa: E402
from tests.declarations import evaluate, ingest_corpus, manifest  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    items = manifest()
    with tempfile.TemporaryDirectory(prefix="jili-eval-") as tmp:
        rows = ingest_corpus(Path(tmp))
        store = Store(tmp)
        try:
            result = evaluate(store, items, rows)
        finally:
            store.close()
    misses = result.pop("misses")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    for kind, found in misses.items():
        print(f"{kind}: {len(found)} misses")
        if args.show_misses:
            for m in found:
                print("   ", m)


if __name__ == "__main__":
    main()
