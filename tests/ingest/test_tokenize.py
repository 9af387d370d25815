"""The configured tokenizer: domain words stay whole, instances are independent, offsets are exact."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import rjieba

import ingest.tokenize as tokenize_module
from ingest.tokenize import DictionaryError, Tokenizer, default_tokenizer, read_user_dict

DOMAIN = [
    ("河长制", 3000, "nz"),
    ("林长制", 3000, "nz"),
    ("云长制", 3000, "nz"),
    ("专精特新", 3000, "nz"),
    ("渝快办", 3000, "nz"),
    ("信易贷", 3000, "nz"),
    ("高标准农田", 3000, "nz"),
    ("三变改革", 3000, "nz"),
    ("三品一标", 3000, "nz"),
    ("两江新区", 5000, "ns"),
    ("市发展改革委", 3000, "nt"),
    ("市经济信息委", 3000, "nt"),
]


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer(DOMAIN)


@pytest.mark.parametrize("word", [w for w, _, _ in DOMAIN])
def test_domain_words_stay_whole_in_a_sentence(tokenizer: Tokenizer, word: str) -> None:
    assert word in tokenizer.cut(f"全面推进{word}工作，成效明显。")


def test_without_the_domain_words_jieba_splits_them() -> None:
    # Why the user dictionary exists: the base dictionary knows none of these.
    plain = Tokenizer()
    assert plain.cut("专精特新") != ["专精特新"]
    assert plain.cut("渝快办") != ["渝快办"]
    assert plain.cut("高标准农田") != ["高标准农田"]


def test_words_given_as_plain_strings_are_kept_too() -> None:
    assert Tokenizer(["督查激励"]).cut("开展督查激励工作") == ["开展", "督查激励", "工作"]


def test_tokenizers_do_not_share_words_with_each_other_or_jiebas_global() -> None:
    Tokenizer([("云联数算用", 3000, "nz")])
    assert "云联数算用" not in Tokenizer().cut("以云联数算用为着力点")
    assert "云联数算用" not in rjieba.cut("以云联数算用为着力点")


def test_tokenize_offsets_index_the_text(tokenizer: Tokenizer) -> None:
    text = "两江新区推进“渝快办”，信易贷放款12.5亿元。\nABC 2022年"
    tokens = tokenizer.tokenize(text)
    assert all(text[start:end] == word for word, start, end in tokens)
    assert [start for _, start, _ in tokens] == [0] + [end for _, _, end in tokens[:-1]]
    assert tokens[-1][2] == len(text)
    assert ("渝快办", 7, 10) in tokens


def test_cut_for_search_also_yields_sub_words(tokenizer: Tokenizer) -> None:
    words = tokenizer.cut_for_search("建成高标准农田")
    assert "高标准农田" in words and "农田" in words


def test_version_is_a_hash_of_the_dictionary() -> None:
    a = Tokenizer(DOMAIN)
    assert a.version == Tokenizer(list(reversed(DOMAIN))).version  # order does not matter
    assert a.version != Tokenizer(DOMAIN[:-1]).version
    assert a.version != Tokenizer([(w, f + 1, p) for w, f, p in DOMAIN]).version
    assert a.version != Tokenizer(DOMAIN, hmm=False).version
    assert a.version.startswith("jili.tokenizer.")


def test_read_user_dict_accepts_jieba_format_with_comments(tmp_path: Path) -> None:
    path = tmp_path / "user_dict.txt"
    path.write_text("# header\n河长制 3000 nz\n\n渝快办\n信易贷 500  # inline note\n", encoding="utf-8")
    assert read_user_dict(path) == [("河长制", 3000, "nz"), ("渝快办", None, None), ("信易贷", 500, None)]


@pytest.mark.parametrize(("line", "reason"), [("河长制 many nz", "whole number"), ("河 长 制 3 nz", "word")])
def test_read_user_dict_names_the_bad_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "user_dict.txt"
    path.write_text(f"渝快办 3000 nz\n{line}\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match=reason) as info:
        read_user_dict(path)
    assert (info.value.filename, info.value.line) == (str(path), 2)


def test_default_tokenizer_is_built_once_with_the_packaged_domain_words() -> None:
    tok = default_tokenizer()
    assert tok is default_tokenizer()
    assert tok.cut("石柱土家族自治县发展改革委推进专精特新") == [
        "石柱土家族自治县",
        "发展改革委",
        "推进",
        "专精特新",
    ]
    assert len(tok.words) > 300


def test_tokenize_module_never_imports_classify() -> None:
    tree = ast.parse(Path(tokenize_module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "classify" for name in imported)
