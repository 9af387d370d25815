"""Evaluation: the cross-declaration checks against planted copies and contradictions. Prints numbers.

    .venv/bin/python bench/eval_checks.py

Two sets, each ingested through the service's path (each file by its applicant's uploader, in upload order):
* the checks set (tests/index/data/checks_set.jsonl, 51 declarations of 38 applicants): copies verbatim,
  with figures changed and lightly edited (findings), paraphrases, notice quotes and an applicant repeating
  itself (not findings); contradictions disagreeing and impossible (findings) and 21 near misses (not);
* the 220 declarations (corpora/declarations): the copies and contradictions planted in their front matter,
  and every further contradiction found, listed for reading.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index import Store  # noqa: E402
from index.auth import Principal, Role  # noqa: E402
from index.checks import checks_for  # noqa: E402
from tests.declarations import (  # noqa: E402
    PassageFinder,
    ingest_corpus,
    manifest,
    planted_conflicts,
    planted_copies,
)
from tests.declarations import score_conflicts as score_planted_conflicts  # noqa: E402
from tests.declarations import score_copies as score_planted_copies  # noqa: E402
from tests.index.checks_set import ingest, load, score_conflicts, score_copies  # noqa: E402

ADMIN = Principal(id=0, name="eval", role=Role.ADMIN)


def main() -> None:
    docs, gold = load()
    with tempfile.TemporaryDirectory(prefix="jili-eval-checks-") as tmp:
        ids = ingest(Path(tmp) / "set", docs)
        store = Store(Path(tmp) / "set")
        found = checks_for(store, ADMIN)
        copies = score_copies(found, gold, ids, store)
        conflicts = score_conflicts(found, gold, ids)
        store.close()
        print(f"checks set: {len(docs)} declarations")
        print(f"  copies: precision {copies['precision']} recall {copies['recall']} by kind {copies['recall_by_kind']}; "
              f"first named right {copies['first_right']}; false findings {copies['false']}")
        print(f"  contradictions: {conflicts['found']}/{conflicts['planted']} found, {conflicts['false']} false "
              f"({conflicts['false_rate'] * 100:.1f}% of findings)")
        for m in copies["missed"]:
            print("    missed copy:", m["kind"], m["note"])
        items = manifest()
        rows = ingest_corpus(Path(tmp) / "decl", items)
        dids = {k: r["document_id"] for k, r in rows.items() if r["document_id"]}
        store = Store(Path(tmp) / "decl")
        found = checks_for(store, ADMIN)
        pc = score_planted_copies(found, planted_copies(items), dids, PassageFinder(store, dids))
        pf = score_planted_conflicts(found, planted_conflicts(items), dids)
        store.close()
    print(f"220 declarations: planted copies {pc['true']}/{pc['planted']} found, {pc['false']} reported beyond them; "
          f"planted contradictions {pf['found']}/{pf['planted']}; {len(pf['unplanted'])} further contradictions found:")
    for u in pf["unplanted"]:
        print("   ", json.dumps(u, ensure_ascii=False))


if __name__ == "__main__":
    main()
