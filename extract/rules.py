"""Loading the extraction rules from `corpora/extract/` into typed, validated models.

The rules are data (units, cue words, metric word lists, the ids of the figure rules) so that a
reviewer can read and change them without touching code. A malformed entry raises `RulesError`
naming the file and line. `load_rules()` is cached: one `Rules` instance per directory, never mutated.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from corpora import CORPORA_DIR
from ingest.errors import JiliError

RULES_DIR = CORPORA_DIR / "extract"
RULE_FILES = ("rules.yaml", "metric.yaml")


class RulesError(JiliError):
    """A rules file is missing, malformed or inconsistent."""

    code = "bad_rules"


class FigureRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    description: str


class UnitRule(BaseModel):
    """A unit that may follow a number: its surface form, default kind and emitted base unit."""

    model_config = ConfigDict(frozen=True)

    id: str
    surface: str = Field(min_length=1)
    kind: str
    unit: str | None = None
    needs_digits: bool = False
    scale: Decimal = Decimal(1)  # the value is the number times this (四成 is 40 %)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        if v not in {"amount", "quantity", "percent", "change", "spec"}:
            raise ValueError(f"unknown kind {v!r}")
        return v

    @property
    def base(self) -> str:
        return self.unit or self.surface

    @property
    def is_classifier(self) -> bool:
        """A measure word that counts the noun it stands with (个, 家, 项), by the `unit.count.` id prefix.

        "20项以上重大科技项目" counts projects; "10亿元以上制造业项目" sets a class by a measure.
        """
        return self.id.startswith("unit.count.")


class WordList(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    words: tuple[str, ...]

    @field_validator("words")
    @classmethod
    def _non_empty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v or any(not str(w) for w in v):
            raise ValueError("word lists must be non-empty and hold no empty words")
        return tuple(str(w) for w in v)

    def longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.words), key=len, reverse=True))

    def alternation(self) -> str:
        """A regex alternation of the words, longest first so 同比增长 wins over 增长."""
        return "|".join(re.escape(w) for w in self.longest_first())


class Rules(BaseModel):
    """Everything `extract` reads from `corpora/extract/`."""

    model_config = ConfigDict(frozen=True)

    version: str
    figure_rules: tuple[FigureRule, ...]
    units: tuple[UnitRule, ...]
    cues: dict[str, WordList]
    metric: dict[str, WordList]

    def cue(self, role: str) -> WordList:
        try:
            return self.cues[role]
        except KeyError:
            raise RulesError(f"no cue list {role!r} in rules.yaml") from None

    def metric_list(self, role: str) -> WordList:
        try:
            return self.metric[role]
        except KeyError:
            raise RulesError(f"no metric list {role!r} in metric.yaml") from None

    def rule_ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.figure_rules)


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records the line of every mapping, so errors can name it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise RulesError(f"cannot read rules: {e.strerror}", filename=str(path)) from e
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        raise RulesError(f"{line}not valid YAML ({getattr(e, 'problem', e)})", filename=str(path)) from e
    if not isinstance(data, dict):
        raise RulesError("top level must be a mapping", filename=str(path))
    return data


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _validated(model: type[BaseModel], raw: dict[str, Any], path: Path) -> Any:
    try:
        return model.model_validate(_strip_lines(raw))
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise RulesError(
            f"line {raw.get('__line__', '?')}: {where or 'entry'}: {err['msg']}", filename=str(path)
        ) from e


def _word_lists(section: Any, path: Path, name: str) -> dict[str, WordList]:
    if not isinstance(section, dict):
        raise RulesError(f"'{name}' must be a mapping of word lists", filename=str(path))
    return {
        role: _validated(WordList, raw if isinstance(raw, dict) else {"__line__": section["__line__"]}, path)
        for role, raw in section.items()
        if role != "__line__"
    }


@lru_cache(maxsize=4)
def load_rules(directory: Path = RULES_DIR) -> Rules:
    """Read and validate `rules.yaml` and `metric.yaml` from `directory` (default `corpora/extract`).

    Raises `RulesError` naming the file and line of the first bad entry, or when the two files
    disagree on the version, or when ids repeat.
    """
    main_path, metric_path = (directory / name for name in RULE_FILES)
    main, metric = _read(main_path), _read(metric_path)
    version = main.get("version")
    if not isinstance(version, str) or not version:
        raise RulesError("line 1: a non-empty 'version' is required", filename=str(main_path))
    if metric.get("version") != version:
        raise RulesError(
            f"version {metric.get('version')!r} differs from rules.yaml's {version!r}", filename=str(metric_path)
        )
    figure_rules = tuple(_validated(FigureRule, r, main_path) for r in main.get("figure_rules") or [])
    units = tuple(_validated(UnitRule, u, main_path) for u in main.get("units") or [])
    cues = _word_lists(main.get("cues"), main_path, "cues")
    lists = _word_lists(metric.get("lists"), metric_path, "lists")
    seen: set[str] = set()
    for rid in [r.id for r in figure_rules] + [u.id for u in units] + [w.id for w in (*cues.values(), *lists.values())]:
        if rid in seen:
            raise RulesError(f"duplicate id {rid!r}", filename=str(main_path))
        seen.add(rid)
    surfaces = [u.surface for u in units]
    if len(surfaces) != len(set(surfaces)):
        dup = next(s for s in surfaces if surfaces.count(s) > 1)
        raise RulesError(f"unit surface {dup!r} listed twice", filename=str(main_path))
    return Rules(version=version, figure_rules=figure_rules, units=units, cues=cues, metric=lists)


RULES_VERSION: str = load_rules().version
