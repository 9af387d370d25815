from corpora import CORPORA_DIR
from index import Store, briefing_docx, evidence_for_measure, figure_table, rank_experiences, to_csv, to_xlsx
from tests.conftest import ingest_into


def test_reingesting_the_same_file_creates_nothing_new(sample_store):
    before = sample_store.counts()
    path = next((CORPORA_DIR / "samples").glob("*.pdf"))
    [outcome] = ingest_into(sample_store.data_dir, [path])
    assert outcome["status"] == "duplicate"
    assert sample_store.has_document(outcome["document_id"])  # it links the stored document
    after = sample_store.counts()
    assert {k: after[k] for k in ("documents", "passages", "figures")} == \
        {k: before[k] for k in ("documents", "passages", "figures")}


def test_originals_are_stored_content_addressed(sample_store):
    for row in sample_store.db.query("SELECT id FROM documents"):
        path = sample_store.original_path(row["id"])
        import hashlib

        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["id"]


def test_document_round_trips_through_the_store(sample_store):
    row = next(sample_store.db.query("SELECT id FROM documents LIMIT 1"))
    doc = sample_store.document(row["id"])
    assert doc.id == row["id"] and doc.passages
    stored = list(sample_store.db.query('SELECT text, start, "end" FROM passages WHERE document_id = ? ORDER BY seq',
                                        [doc.id]))
    assert [(p.text, p.start, p.end) for p in doc.passages] == [(r["text"], r["start"], r["end"]) for r in stored]


def test_evidence_keeps_declaring_applicants_apart_from_those_that_only_mention_the_measure(sample_store):
    for measure in (13, 14, 15, 17):
        declared = {r["region"] or "未识别" for r in sample_store.db.query(
            "SELECT DISTINCT d.region FROM documents d JOIN document_measures dm ON dm.document_id = d.id "
            "WHERE dm.measure = ? AND dm.level = 'declared'", [measure])}
        touching = {r["region"] or "未识别" for r in sample_store.db.query(
            "SELECT DISTINCT d.region FROM passage_labels pl JOIN passages p ON p.id = pl.passage_id "
            "JOIN documents d ON d.id = p.document_id WHERE pl.measure = ? UNION SELECT DISTINCT d.region "
            "FROM documents d JOIN document_measures dm ON dm.document_id = d.id WHERE dm.measure = ?",
            [measure, measure])}
        ev = evidence_for_measure(sample_store, measure)
        assert {r.region for r in ev.regions} == declared
        assert {m.region for m in ev.mentioned} == touching - declared
        assert ev.lead_units
        for region in ev.regions:
            for p in region.passages:
                assert p.page >= 1


def test_a_region_card_holds_only_the_measures_documents_and_figures(sample_store):
    db = sample_store.db
    for measure in range(1, 31):
        for region in evidence_for_measure(sample_store, measure).regions:
            assert all(d["probability"] >= 0.3 for d in region.documents)  # declared documents only
            with_passages = {p.document_id for p in region.passages}
            assert with_passages <= {d["id"] for d in region.documents}, (measure, region.region)
            for f in region.figures:
                labelled = f.passage_id is not None and next(db.query(
                    "SELECT 1 FROM passage_labels WHERE passage_id = ? AND measure = ?", [f.passage_id, measure]), None)
                whole = next(db.query("SELECT 1 FROM document_measures WHERE document_id = ? AND measure = ?",
                                      [f.document_id, measure]), None)
                assert labelled or (f.passage_id is None and whole), (measure, region.region, f.raw)


def test_figure_table_ranks_regions_and_exports(sample_store):
    rows = figure_table(sample_store, 15, kind="quantity")
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True) and rows
    assert len({(r["region"], r["metric"], r["unit"]) for r in rows}) == len(rows)  # best per region
    csv_text = to_csv(rows)
    assert csv_text.startswith("\ufeffrank,region")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx(rows))).active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["排名", "申报单位", "申报主体类型", "指标", "数据（含增减、比较基准、时期）"]
    assert {c.value for c in sheet["F"][1:]} <= {"数量"}  # quantity, in words
    assert all(c.value for c in sheet["E"][1:])  # the figure as a reader says it


def test_typical_experiences_explain_themselves_and_span_regions(sample_store):
    items = rank_experiences(sample_store, limit=8)
    assert len(items) == 8
    assert len({e.region for e in items}) >= 6  # diversity across regions
    assert all(e.reasons and e.summary for e in items)
    assert not any("入选" in r or "降权排序" in r for e in items for r in e.reasons)  # no ranking internals
    scores = [e.score for e in items]
    assert scores[0] == max(scores)
    assert briefing_docx(items)[:2] == b"PK"


def test_reviewer_marks_raise_and_drop_experiences(sample_store):
    items = rank_experiences(sample_store, limit=30)
    low, top = items[-1], items[0]
    with sample_store.write() as db:
        db["reviews"].insert({"passage_id": low.passage_id, "reviewer": "t", "action": "exemplary"})
        db["reviews"].insert({"passage_id": top.passage_id, "reviewer": "t", "action": "not_exemplary"})
    again = rank_experiences(sample_store, limit=30)
    ids = [e.passage_id for e in again]
    assert top.passage_id not in ids
    assert ids.index(low.passage_id) < len(items) - 1
    assert "牵头单位标为典型" in again[ids.index(low.passage_id)].reasons


def test_a_new_store_on_the_same_directory_keeps_everything(sample_store):
    counts = sample_store.counts()
    other = Store(sample_store.data_dir)
    assert other.counts() == counts
    other.close()


def test_a_cover_letter_is_not_ranked_as_a_practice():
    from classify.practice import Candidate, load_ranker, matrix, reasons

    letter = Candidate("根据《通知》要求，现将我区推进林长制工作情况报告如下，探索建立林长制工作机制。特此报告。", measure_score=0.9)
    practice = Candidate("我区探索建立“林长+警长”协作机制，创新推行网格化巡林模式，全年巡林2.3万人次，发现处置问题416个。",
                         measure_score=0.9, figures=2)
    low, high = load_ranker().scores([letter, practice])
    assert low < high
    assert any("套语" in r for r in reasons(matrix([letter])[0])[1])
