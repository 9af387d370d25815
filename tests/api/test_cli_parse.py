import json

from click.testing import CliRunner

from api.cli import main
from tests.conftest import make_pdf


def test_parse_json_prints_one_document_per_line_and_errors_alone(tmp_path):
    good = tmp_path / "申报.pdf"
    good.write_bytes(make_pdf([[("title", "关于申报督查激励事项的报告"), ("body", "全年新增高新技术企业42家。")]]))
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage")
    result = CliRunner().invoke(main, ["parse", "--json", str(good), str(bad)])
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    doc, err = lines
    assert {"id", "format", "pages", "text", "segments", "ocr_pages", "warnings"} <= set(doc)
    assert doc["format"] == "pdf" and doc["pages"] == 1 and "42家" in doc["text"]
    assert {"kind", "text", "page", "source"} <= set(doc["segments"][0])
    assert err["error"]["code"] == "corrupt" and "坏.pdf" in err["error"]["message"]


def test_parse_exits_non_zero_only_when_every_file_failed(tmp_path):
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["parse", str(empty)])
    assert result.exit_code == 1
    assert "empty.docx: the file is empty" in result.stderr


def test_every_command_has_help_text():
    def walk(group, prefix=()):
        for name, cmd in group.commands.items():
            assert cmd.help, f"jili {' '.join(prefix + (name,))} has no help"
            if hasattr(cmd, "commands"):
                walk(cmd, prefix + (name,))

    walk(main)
