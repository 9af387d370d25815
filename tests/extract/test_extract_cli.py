"""The click commands, invoked directly: the --jsonl contract's exact shape, and the eval report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from api.commands.extract import eval_extract_cmd, extract_cmd

FIGURE_KEYS = {"raw", "value", "unit", "kind", "metric", "direction", "approx", "is_target", "period", "start",
               "end"}


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_jsonl_gives_one_line_per_input_in_order(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [{"id": "b", "text": "全省完成地区生产总值31534亿元、增长3.3%"}, {"id": "a", "text": "坚持稳中求进。"},
            {"id": 7, "text": "森林覆盖率达到55.1%"}]
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    result = CliRunner().invoke(extract_cmd, ["--jsonl", str(src)])
    assert result.exit_code == 0, result.output
    out = _lines(result.output)
    assert [o["id"] for o in out] == ["b", "a", 7]
    assert [list(o) for o in out] == [["id", "figures"]] * 3
    assert out[1]["figures"] == []
    first = out[0]["figures"][0]
    assert set(first) >= FIGURE_KEYS
    assert (first["raw"], first["value"], first["unit"], first["kind"], first["metric"]) == (
        "31534亿元", 3153400000000, "元", "amount", "地区生产总值")
    assert isinstance(first["value"], int)
    second = out[0]["figures"][1]
    assert (second["value"], second["kind"], second["direction"], second["approx"]) == (3.3, "change", "up", False)
    assert isinstance(second["value"], float)
    assert (second["start"], second["end"]) == (20, 24)


def test_jsonl_reads_stdin_and_keeps_chinese_unescaped() -> None:
    result = CliRunner().invoke(extract_cmd, ["--jsonl", "-"],
                                input='{"id": "x", "text": "新增高新技术企业三十五个"}\n')
    assert result.exit_code == 0, result.output
    assert "高新技术企业" in result.output  # ensure_ascii=False
    (line,) = _lines(result.output)
    assert [(f["value"], f["unit"]) for f in line["figures"]] == [(35, "个")]


def test_jsonl_refuses_a_bad_line_and_names_it(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "a", "text": "增长5%"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(extract_cmd, ["--jsonl", str(src)])
    assert result.exit_code != 0
    assert f"{src}:2" in result.output


def test_file_and_jsonl_are_mutually_exclusive(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(extract_cmd, []).exit_code == 2
    assert runner.invoke(extract_cmd, [str(tmp_path / "x.pdf"), "--jsonl", "-"]).exit_code == 2


def test_commands_have_help_text() -> None:
    for cmd in (extract_cmd, eval_extract_cmd):
        assert cmd.help and cmd.name == "extract"
        assert CliRunner().invoke(cmd, ["--help"]).exit_code == 0


def _gold(tmp_path: Path) -> Path:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": "g1", "text": "全省完成地区生产总值31534亿元、增长3.3%",
         "figures": [{"raw": "31534亿元", "value": 3153400000000, "unit": "元", "kind": "amount",
                      "metric": "地区生产总值", "direction": None, "approx": False},
                     {"raw": "3.3%", "value": 3.3, "unit": "%", "kind": "change", "metric": "地区生产总值",
                      "direction": "up", "approx": False}]},
        {"id": "g2", "text": "新增高新技术企业36家",
         "figures": [{"raw": "36家", "value": 37, "unit": "家", "kind": "quantity", "metric": "高新技术企业",
                      "direction": None, "approx": False}]},
    ]
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return gold


def test_eval_prints_a_readable_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_extract_cmd, ["--set", str(_gold(tmp_path)), "--errors", "5"])
    assert result.exit_code == 0, result.output
    assert "overall   P 0.6667  R 0.6667  F1 0.6667" in result.output
    assert "quantity  P 0.0000" in result.output
    assert "metric accuracy 1.0000" in result.output
    assert "g2  missed    36家 quantity 37 家" in result.output


def test_eval_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(eval_extract_cmd, ["--set", str(_gold(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["matched"], report["per_kind"]["amount"]["f1"]) == (2, 1.0)
    assert "errors" not in report
