"""`jili ingest`, `search`, `evidence` and `experiences` from the command line: messages, not tracebacks."""

from __future__ import annotations

import io
import zipfile

from click.testing import CliRunner

from api.commands.index_cmds import evidence_cmd, ingest_cmd, search_cmd
from corpora import CORPORA_DIR
from tests.conftest import make_pdf

SAMPLE = next((CORPORA_DIR / "samples").glob("合川区*.pdf"))


def _ingest(data_dir, *paths):
    return CliRunner().invoke(ingest_cmd, [*map(str, paths), "--db", str(data_dir), "--no-ocr"])


def test_a_stored_zip_is_expanded_member_by_member_and_counted(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("合川区申报材料.pdf", SAMPLE.read_bytes())
        zf.writestr("说明.txt", "合川区高标准农田建设情况说明：全年建成高标准农田6.5万亩。".encode("gbk"))
        zf.writestr("空文件.txt", b"")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "batch.zip").write_bytes(buf.getvalue())
    result = _ingest(tmp_path / "data", tmp_path / "in")
    assert "1 files (3 documents with archive members): 2 done, 1 failed" in result.output, result.output
    assert "空文件.txt" in result.output and "empty" in result.output


def test_ingesting_a_folder_that_holds_the_store_skips_the_store(tmp_path):
    (tmp_path / "a.pdf").write_bytes(make_pdf([[("body", "合川区全年建成高标准农田6.5万亩。")]]))
    first = _ingest(tmp_path / "data", tmp_path)
    again = _ingest(tmp_path / "data", tmp_path)
    assert "1 files: 1 done" in first.output, first.output
    assert "1 files: 1 duplicate;" in again.output and "failed" not in again.output, again.output


def test_a_measure_outside_the_catalog_is_refused_with_its_range(tmp_path):
    for cmd, args in ((evidence_cmd, ["31"]), (search_cmd, ["农田", "--measure", "0"])):
        result = CliRunner().invoke(cmd, [*args, "--db", str(tmp_path)])
        assert result.exit_code == 2 and "not in the campaign catalog (1–30)" in result.output, result.output


def test_an_export_to_a_missing_folder_is_one_line_not_a_traceback(tmp_path):
    _ingest(tmp_path / "data", SAMPLE)
    result = CliRunner().invoke(evidence_cmd, ["15", "--csv", str(tmp_path / "nope" / "x.csv"), "--db", str(tmp_path / "data")])
    assert result.exit_code == 1 and "cannot write the export" in result.output
    assert "Traceback" not in result.output


def test_checks_print_the_stable_json_with_both_sides_and_rebuild_on_request(tmp_path):
    import json

    from api.commands.index_cmds import checks_cmd

    practice = ("建立重大项目“红黄绿灯”调度机制，按照进度将在建项目分为绿灯、黄灯、红灯三类，亮红灯项目由区领导包案，"
                "堵点问题实行限时办结、每周通报销号，全年协调解决阻工问题138件，项目平均开工时间缩短22天。")
    files = []
    for region in ("万州区", "綦江区"):
        path = tmp_path / f"{region}-扩大有效投资-申报材料.txt"
        path.write_text(f"重庆市{region}人民政府关于申报2022年度督查激励“扩大有效投资”事项的报告\n市发展改革委：\n{practice}\n"
                        f"特此报告。\n重庆市{region}人民政府\n2023年1月12日\n", encoding="utf-8")
        files.append(path)
    for path in files:
        assert _ingest(tmp_path / "data", path).exit_code == 0
    result = CliRunner().invoke(checks_cmd, ["--json", "--rebuild", "--db", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    [copy] = body["copies"]
    assert {copy["a"]["region"], copy["b"]["region"]} == {"万州区", "綦江区"}
    assert set(copy) >= {"a", "b", "similarity", "first", "boilerplate"} and copy["first"] in ("a", "b")
    assert set(copy["a"]) >= {"document_id", "filename", "region", "page", "passage_id", "text"}
    assert body["figure_conflicts"] == []
    assert "1 copied pairs" in result.stderr
