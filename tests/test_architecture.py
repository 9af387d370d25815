"""Dependencies point down only: api -> index -> {extract, classify} -> ingest -> corpora."""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ALLOWED = {
    "corpora": set(),
    "ingest": {"corpora"},
    "extract": {"ingest", "corpora"},
    "classify": {"ingest", "corpora"},
    "index": {"extract", "classify", "ingest", "corpora"},
    "api": {"index", "extract", "classify", "ingest", "corpora"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_stages_only_import_the_stages_below_them():
    violations = []
    for package, allowed in ALLOWED.items():
        for path in (REPO / package).rglob("*.py"):
            bad = (_imports(path) & set(ALLOWED)) - allowed - {package}
            if bad:
                violations.append(f"{path.relative_to(REPO)} imports {sorted(bad)}")
    assert not violations, "\n".join(violations)
