"""The rules are data: they load into typed models, and a bad entry names its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extract import RULES_VERSION, RulesError
from extract.rules import RULE_FILES, RULES_DIR, load_rules


def test_the_shipped_rules_load_with_ids_and_a_version() -> None:
    rules = load_rules()
    assert rules.version == RULES_VERSION == "extract.rules.v3"
    assert "amount.money" in rules.rule_ids() and "table.cell" in rules.rule_ids()
    assert {u.surface for u in rules.units} >= {"元", "美元", "%", "个百分点", "倍", "家", "亩", "千瓦", "人次"}
    assert all(rules.cue(role).words for role in ("approx_before", "change_up", "change_down", "rank_scopes"))


def test_every_unit_kind_is_known_and_surfaces_are_unique() -> None:
    rules = load_rules()
    surfaces = [u.surface for u in rules.units]
    assert len(surfaces) == len(set(surfaces))
    assert {u.kind for u in rules.units} <= {"amount", "quantity", "percent", "change", "spec"}


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    for name in RULE_FILES:
        shutil.copy(RULES_DIR / name, tmp_path / name)
    return tmp_path


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_bad_unit_kind_names_the_file_and_line(rules_copy: Path) -> None:
    path = rules_copy / "rules.yaml"
    _replace(path, "{id: unit.money.usd, surface: 美元, kind: amount}", "{id: unit.money.usd, surface: 美元, kind: money}")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "unit.money.usd" in t)
    with pytest.raises(RulesError) as e:
        load_rules.__wrapped__(rules_copy)
    assert str(path) in str(e.value) and f"line {line}" in str(e.value) and "unknown kind" in str(e.value)


def test_broken_yaml_names_the_line(rules_copy: Path) -> None:
    path = rules_copy / "metric.yaml"
    _replace(path, "  lead_words:", "  lead_words: [unclosed")
    with pytest.raises(RulesError, match=r"metric\.yaml.*line \d+"):
        load_rules.__wrapped__(rules_copy)


def test_duplicate_ids_and_version_mismatch_are_refused(rules_copy: Path) -> None:
    _replace(rules_copy / "rules.yaml", "id: unit.money.eur", "id: unit.money.usd")
    with pytest.raises(RulesError, match="duplicate id 'unit.money.usd'"):
        load_rules.__wrapped__(rules_copy)
    shutil.copy(RULES_DIR / "rules.yaml", rules_copy / "rules.yaml")
    _replace(rules_copy / "metric.yaml", "version: extract.rules.v3", "version: extract.rules.v0")
    with pytest.raises(RulesError, match="differs"):
        load_rules.__wrapped__(rules_copy)


def test_a_missing_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules.__wrapped__(tmp_path)
