"""Dependencies point down only: api -> index -> {extract, classify} -> ingest -> corpora."""

import ast
import re
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


_SQL = re.compile(r"\bSELECT\b.+\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|"
                  r"\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIRTUAL)\b|\bPRAGMA\s+\w+", re.S)
_DB_CALLS = {"execute", "executemany", "executescript", "query", "count_where", "insert", "insert_all", "upsert",
             "update", "delete_where"}


def _sql_uses(path: Path) -> list[str]:
    """Places in a module that run SQL or touch a table: SQL text, `x.db`, `db["table"]`, cursor calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
            found.append(f"line {node.lineno}: SQL text {node.value[:40]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in ("db", "conn"):
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _DB_CALLS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("db", "conn", "cursor", "cur"):
            found.append(f"line {node.lineno}: {node.func.value.id}.{node.func.attr}()")
    return found


def test_api_holds_no_sql_and_touches_no_table():
    violations = [f"{path.relative_to(REPO)} {use}" for path in sorted((REPO / "api").rglob("*.py"))
                  for use in _sql_uses(path)]
    assert not violations, "\n".join(violations)


def test_the_sql_check_finds_sql():
    sample = REPO / "tests" / "_artifacts" / "sql_sample.py"
    sample.parent.mkdir(parents=True, exist_ok=True)
    sample.write_text('def f(store):\n    store.db.execute("SELECT id FROM files WHERE status = ?", [1])\n', encoding="utf-8")
    assert len(_sql_uses(sample)) == 2
