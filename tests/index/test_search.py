import random
import re

import pytest

from index import SearchFilters, search
from index.grams import normalize


def _all_passages(store):
    return list(store.db.query("SELECT p.id, p.heading, p.text, d.region FROM passages p "
                               "JOIN documents d ON d.id = p.document_id"))


def _contains(text: str, piece: str) -> bool:
    """Chinese matches as a substring; ASCII words and numbers match whole (13.2 does not contain 3.2)."""
    pattern = re.escape(piece)
    if piece[:1].isascii() and piece[:1].isalnum():
        pattern = r"(?<![0-9a-z.])" + pattern
    if piece[-1:].isascii() and piece[-1:].isalnum():
        pattern += r"(?![0-9a-z])"
    return re.search(pattern, text) is not None


def _brute(store, piece, region=None, measure=None):
    ids = set()
    labelled = {r["passage_id"] for r in store.db.query("SELECT passage_id FROM passage_labels WHERE measure = ?",
                                                        [measure])} if measure else None
    for r in _all_passages(store):
        text = normalize(f"{r['heading'] or ''}\n{r['text']}")
        if _contains(text, piece) and (region is None or r["region"] == region) and (labelled is None or r["id"] in labelled):
            ids.add(r["id"])
    return ids


def _found(store, query, **filters):
    res = search(store, query, SearchFilters(**filters), size=200)
    assert res.total == len(res.hits) or res.total > 200
    return {h.passage_id for h in res.hits}, res


def test_every_two_character_substring_query_finds_exactly_the_passages_containing_it(sample_store):
    rng = random.Random(3)
    texts = [r["text"] for r in _all_passages(sample_store)]
    queries = {"农田", "两江", "河长", "养老", "上市", "街道"}
    for _ in range(40):
        t = rng.choice(texts)
        i = rng.randrange(len(t) - 2)
        piece = t[i:i + 2]
        if all("\u4e00" <= c <= "\u9fff" for c in piece):
            queries.add(piece)
    for q in sorted(queries):
        found, _ = _found(sample_store, q)
        assert found == _brute(sample_store, q), q


@pytest.mark.parametrize("query", ["高标准农田", "6.5万亩", "同比增长", "GDP", "3.2万", "“田长制”"])
def test_longer_and_mixed_queries_match_literally(sample_store, query):
    found, _ = _found(sample_store, query)
    assert found == _brute(sample_store, normalize(query))


def test_several_pieces_must_all_occur(sample_store):
    found, _ = _found(sample_store, "农田 田长")
    assert found == _brute(sample_store, "农田") & _brute(sample_store, "田长") != set()


@pytest.mark.parametrize("query", ['"', 'NEAR(农田 养老)', "农田*", "-农田", "AND", "农田 OR 养老", "(", "col:x", "^农田"])
def test_fts5_syntax_in_queries_neither_errors_nor_changes_meaning(sample_store, query):
    res = search(sample_store, query, SearchFilters(), size=200)
    pieces = [p for p in normalize(query).split()]
    for hit in res.hits:
        text = normalize(f"{hit.heading or ''}\n{hit.text}")
        # every hit holds each searchable piece literally (operators are text, not syntax)
        for piece in pieces:
            core = "".join(ch for ch in piece if ch.isalnum())
            if len(core) >= 2:
                assert core in text.replace(" ", "") or core in text


def test_filters_and_facets_agree_with_a_brute_force_count(sample_store):
    query = "建设"
    found, res = _found(sample_store, query)
    assert res.facets["exact"]
    regions = {}
    for r in _all_passages(sample_store):
        if r["id"] in found:
            regions[r["region"]] = regions.get(r["region"], 0) + 1
    assert res.facets["region"] == {k or "未识别": v for k, v in regions.items()}
    measure_counts = {}
    for row in sample_store.db.query("SELECT passage_id, measure FROM passage_labels"):
        if row["passage_id"] in found:
            measure_counts[str(row["measure"])] = measure_counts.get(str(row["measure"]), 0) + 1
    assert res.facets["measure"] == measure_counts
    for region in list(regions)[:4]:
        assert _found(sample_store, query, region=region)[0] == _brute(sample_store, query, region=region)
    for measure in (15, 17, 19):
        assert _found(sample_store, query, measure=measure)[0] == _brute(sample_store, query, measure=measure)


def test_highlights_point_at_the_query_in_the_original_text(sample_store):
    res = search(sample_store, "高标准农田", SearchFilters())
    assert res.hits
    for hit in res.hits:
        assert hit.highlights and all(hit.text[s:e] == "高标准农田" for s, e in hit.highlights)
        assert all(hit.snippet[s:e] == "高标准农田" for s, e in hit.snippet_highlights)
        assert "第" in hit.citation() and hit.filename in hit.citation()


def test_an_empty_query_browses_filtered_passages(sample_store):
    res = search(sample_store, "", SearchFilters(measure=15), size=200)
    assert res.total == len(_brute(sample_store, "", measure=15)) > 0


def test_dictionary_words_rank_whole_word_matches_first(sample_store):
    res = search(sample_store, "农田", SearchFilters(), size=5)
    assert "高标准农田" in res.hits[0].text or "农田" in res.hits[0].text


def test_a_region_filter_accepts_the_short_name_users_type(sample_store):
    official = {r["region"] for r in sample_store.db.query("SELECT DISTINCT region FROM documents")}
    assert "合川区" in official
    by_short, _ = _found(sample_store, "农田", region="合川")
    by_official, _ = _found(sample_store, "农田", region="合川区")
    assert by_short == by_official == _brute(sample_store, "农田", region="合川区") != set()


def test_advanced_mode_combines_pieces_as_sets(sample_store):
    def found(q):
        res = search(sample_store, q, advanced=True, size=200)
        return {h.passage_id for h in res.hits}

    a, b = _brute(sample_store, "农田"), _brute(sample_store, "粮食")
    assert a and b and a & b and a - b
    assert found("农田 粮食") == found("农田 AND 粮食") == a & b
    assert found("农田 OR 粮食") == a | b
    assert found("农田 -粮食") == found("农田 NOT 粮食") == a - b
    assert found("OR 农田") == found("农田 OR") == a  # a dangling operator joins nothing
    assert found('"高标准农田"') == _brute(sample_store, "高标准农田")
