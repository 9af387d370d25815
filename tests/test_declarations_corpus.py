"""The declaration corpus (corpora/declarations): its 220 sources, their gold front matter, the judgments
and scripts/build_declarations.py, which renders them to PDF/DOCX/TXT deterministically."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import build_declarations as bd  # noqa: E402
import build_samples as bs  # noqa: E402

DECLS = bd.load_all()
BY_ID = {d.id: d for d in DECLS}
IDS = sorted(BY_ID)
JUDGMENTS = [(path.name, n, json.loads(line))
             for path in sorted(bd.JUDGMENTS.glob("*.jsonl"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()]
JUDGMENT_KINDS = {"addressee", "paragraph", "signature", "table", "list"}


def _body(doc_id: str) -> str:
    return BY_ID[doc_id].text()


# ------------------------------------------------------------------------------------ sources


def test_all_sources_load_with_unique_ids_and_filenames():
    assert len(DECLS) == 220
    assert len({d.filename for d in DECLS}) == len(DECLS)
    for d in DECLS:
        assert d.src.name.startswith(d.id + "-"), d.src.name
        keys = set(bs.read_source(d.src)[0])
        want = set(bd.GOLD_FIELDS) - ({"county"} if d.meta["applicant_type"] != "乡镇(街道)" else set())
        assert keys - {"headings"} == want, (d.id, keys ^ want)


@pytest.mark.parametrize("doc_id", IDS)
def test_front_matter_is_valid(doc_id):
    d = BY_ID[doc_id]
    m = d.meta
    assert re.fullmatch(r"c\d-\d{3}", m["id"])
    assert m["applicant_type"] in bd.APPLICANT_TYPES
    if m["applicant_type"] == "国家级开发开放平台":
        assert m["region"] in bd.PLATFORMS
    else:
        assert m["region"] not in bd.PLATFORMS
    if m["applicant_type"] == "乡镇(街道)":
        assert re.search(r"(镇|乡|街道)$", m["region"]) and m.get("county")
        assert m["uploader"] == m["county"]
    else:
        assert "county" not in bs.read_source(d.src)[0]
        assert m["uploader"] == m["region"]

    measures = m["measures"]
    assert measures and len(set(measures)) == len(measures)
    assert all(type(x) is int and 1 <= x <= 30 for x in measures), measures
    eligible = bd.eligible_measures(m["applicant_type"])
    assert set(m["ineligible"]) <= set(measures)
    assert set(m["ineligible"]) == {x for x in measures if x not in eligible}, (measures, m["ineligible"])

    assert m["format"] in bd.FORMATS and m["filename"].endswith("." + m["format"])
    assert m["date_style"] in bd.DATE_STYLES
    assert m["doc_date"] is None or isinstance(m["doc_date"], dt.date)
    assert (m["doc_date"] is None) == (m["date_style"] == "无")
    assert isinstance(m["practice"], str) and len(m["practice"]) >= 10

    for c in m["copies"]:
        assert set(c) == {"from", "kind", "start"}, c
        assert c["from"] == "notice" or c["from"] in BY_ID, c
        assert c["kind"] in {"verbatim", "numbers", "paraphrase", "notice"}, c
        assert c["start"] in _body(doc_id), c
        if c["kind"] == "verbatim":
            assert c["start"] in _body(c["from"]), c
    for c in m["conflicts"]:
        assert set(c) == {"with", "metric", "values"} and len(c["values"]) == 2, c
        assert c["with"] in BY_ID and c["with"] != doc_id, c
        assert any(x["with"] == doc_id and x["metric"] == c["metric"] for x in BY_ID[c["with"]].meta["conflicts"])


@pytest.mark.parametrize("doc_id", [i for i in IDS if BY_ID[i].meta["conflicts"]])
def test_each_planted_contradiction_has_one_value_in_each_document(doc_id):
    for c in BY_ID[doc_id].meta["conflicts"]:
        here, there = [v for v in c["values"] if v in _body(doc_id)], [v for v in c["values"] if v in _body(c["with"])]
        assert here and there and set(here) != set(there), c


@pytest.mark.parametrize("doc_id", IDS)
def test_body_dates_match_date_style_and_doc_date(doc_id):
    d = BY_ID[doc_id]
    assert d.found_date_style() == d.meta["date_style"]
    dates = [text for _, text in d.found_dates()]
    if d.doc_date is None:
        assert dates == []
    else:
        want = bd.cn_date(d.doc_date) if d.meta["date_style"] == "汉字" else bd.ar_date(d.doc_date)
        assert dates == [want]
    for b in d.blocks:
        if b.kind == "signdate":
            assert "　" in b.text  # 落款同行: unit and date separated by full-width spaces
        if b.kind == "hdate":
            assert d.blocks.index(b) < next(k for k, x in enumerate(d.blocks) if x.kind == "title")


def test_cn_date():
    assert bd.cn_date(dt.date(2023, 1, 12)) == "二〇二三年一月十二日"
    assert bd.cn_date(dt.date(2023, 1, 10)) == "二〇二三年一月十日"
    assert bd.cn_date(dt.date(2023, 2, 3)) == "二〇二三年二月三日"
    assert bd.cn_date(dt.date(2022, 12, 31)) == "二〇二二年十二月三十一日"


@pytest.mark.parametrize("doc_id", IDS)
def test_practice_occurs_in_the_body(doc_id):
    assert BY_ID[doc_id].meta["practice"] in _body(doc_id)


def test_judgments_are_well_formed_and_their_starts_occur_in_the_bodies():
    assert len(JUDGMENTS) > 2000
    bad = []
    for name, n, j in JUDGMENTS:
        ok = (set(j) == {"doc", "start", "kind", "grade"} and j["doc"] in BY_ID and j["kind"] in JUDGMENT_KINDS
              and type(j["grade"]) is int and 0 <= j["grade"] <= 3 and name == j["doc"].split("-")[0] + ".jsonl"
              and j["start"] and j["start"] in _body(j["doc"]))
        if not ok:
            bad.append(f"{name}:{n} {j}")
    assert not bad, "\n".join(bad[:20])
    assert {j["doc"] for _, _, j in JUDGMENTS} == set(IDS)


def test_signature_judgments_are_the_parsed_signature_blocks():
    """The parser's signer/date/落款同行/版头 date blocks are the lines the judgments call the signature."""
    for _, _, j in JUDGMENTS:
        if j["kind"] == "signature":
            blocks = [b for b in BY_ID[j["doc"]].blocks if b.text.startswith(j["start"])]
            assert blocks and blocks[-1].kind in ("signer", "date", "signdate", "hdate"), j


def test_header_tables_are_form_tables():
    for d in DECLS:
        forms = [b for b in d.blocks if b.kind == "form"]
        if d.meta["date_style"] == "表格":
            assert forms and any(bd.DATE_RE.match(c) for b in forms for r in b.rows for c in r), d.id


# ------------------------------------------------------------------------------------ rendering


def _pick() -> list[str]:
    """Two files per format with different date styles; for TXT one GBK and one UTF-8 file."""
    out = []
    for fmt in ("pdf", "docx"):
        first = next(d for d in DECLS if d.fmt == fmt and d.meta["date_style"] in ("版头", "表格"))
        second = next(d for d in DECLS if d.fmt == fmt and d.meta["date_style"] not in (first.meta["date_style"], "落款"))
        out += [first.id, second.id]
    txt = [d.id for d in DECLS if d.fmt == "txt"]
    out.append(next(i for i in txt if bd.txt_encoding(i) == "gbk"))
    out.append(next(i for i in txt if bd.txt_encoding(i) == "utf-8"))
    return out


PICKED = _pick()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The picked files rendered twice, into two directories, through the command line."""
    dirs = [tmp_path_factory.mktemp(f"decl{k}") for k in (1, 2)]
    for out in dirs:
        assert bd.main([str(out), "--only", *PICKED]) == 0
    return dirs


def test_rendering_is_deterministic(rendered):
    a, b = rendered
    for doc_id in PICKED:
        name = BY_ID[doc_id].filename
        assert (a / name).read_bytes() == (b / name).read_bytes(), doc_id
    assert (a / "manifest.jsonl").read_bytes() == (b / "manifest.jsonl").read_bytes()


def test_manifest_lists_gold_fields_hash_and_pages(rendered):
    out = rendered[0]
    entries = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["id"] for e in entries) == sorted(PICKED)
    for e in entries:
        d = BY_ID[e["id"]]
        assert list(e) == [*bd.GOLD_FIELDS, "sha256", "pages"]
        assert e["sha256"] == hashlib.sha256((out / d.filename).read_bytes()).hexdigest()
        assert e["doc_date"] == (d.doc_date.isoformat() if d.doc_date else None)
        assert e["county"] == d.meta.get("county")
        assert e["measures"] == d.meta["measures"] and e["filename"] == d.filename
        if d.fmt == "pdf":
            assert e["pages"] == bs.pdf_pages(out / d.filename) >= 1
        else:
            assert e["pages"] is None


def test_file_metadata_carry_the_doc_date_at_0930_beijing(rendered):
    import docx
    import pypdfium2

    for doc_id in PICKED:
        d = BY_ID[doc_id]
        day = d.doc_date or dt.date(2023, 1, 20)
        path = rendered[0] / d.filename
        if d.fmt == "pdf":
            pdf = pypdfium2.PdfDocument(str(path))
            try:
                assert pdf.get_metadata_dict()["CreationDate"] == day.strftime("D:%Y%m%d093000+08'00'")
            finally:
                pdf.close()
        elif d.fmt == "docx":
            created = docx.Document(str(path)).core_properties.created
            beijing = created.astimezone(dt.timezone(dt.timedelta(hours=8)))
            assert (beijing.date(), beijing.hour, beijing.minute) == (day, 9, 30)


def test_txt_files_are_plain_text_in_their_encoding(rendered):
    for doc_id in PICKED:
        d = BY_ID[doc_id]
        if d.fmt != "txt":
            continue
        raw = (rendered[0] / d.filename).read_bytes()
        enc = bd.txt_encoding(doc_id)
        text = raw.decode(enc)
        if enc == "gbk":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        lines = text.splitlines()
        assert d.first("title") in lines and d.meta["practice"] in text
        assert not any(ln.startswith(("#", "|")) for ln in lines)
    gbk = [d.id for d in DECLS if d.fmt == "txt" and bd.txt_encoding(d.id) == "gbk"]
    assert len(gbk) == round(sum(d.fmt == "txt" for d in DECLS) / 3)


def test_docx_headings_and_header_table(rendered):
    import docx

    for doc_id in PICKED:
        d = BY_ID[doc_id]
        if d.fmt != "docx":
            continue
        document = docx.Document(str(rendered[0] / d.filename))
        styles = {p.style.name for p in document.paragraphs}
        assert ("Heading 1" in styles) == (d.meta["headings"] == "styles" and bool(d.first("h1")))
        forms = [b for b in d.blocks if b.kind == "form"]
        if forms:
            first = document.tables[0]
            assert [c.text for c in first.rows[0].cells] == forms[0].rows[0]


def _pdf_text(path: Path) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()
    # drop the page furniture (running header, "— N —"), then join the broken lines back
    lines = [ln for page in pages for ln in page.splitlines()
             if not re.fullmatch(r"— \d+ —|.*督查激励申报材料", ln.strip())]
    return "".join(lines)


def test_rendered_pdf_text_contains_the_practice_and_the_date(rendered):
    pdfs = [i for i in PICKED if BY_ID[i].fmt == "pdf"]
    assert pdfs
    for doc_id in pdfs:
        d = BY_ID[doc_id]
        text = _pdf_text(rendered[0] / d.filename)
        assert d.meta["practice"] in text, doc_id
        for _, date_text in d.found_dates():
            assert date_text in text


def test_build_samples_still_reproduces_the_committed_samples(tmp_path):
    """build_declarations reuses build_samples' writers: the refactoring must not change the samples."""
    for src in sorted(bs.SRC.glob("*.md")):
        s = bs.parse(src)
        out = tmp_path / s.filename
        (bs.build_pdf if s.fmt == "pdf" else bs.build_docx)(s, out)
        assert out.read_bytes() == (bs.SAMPLES / s.filename).read_bytes(), s.filename
