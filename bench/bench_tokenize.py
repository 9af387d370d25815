"""Benchmark the configured tokenizer: dictionary load time and segmentation throughput (MB/s).

Prints numbers only (no asserts): machines here are shared and noisy, so read ranges, not one figure.

    .venv/bin/python bench/bench_tokenize.py             # rjieba-backed Tokenizer
    .venv/bin/python bench/bench_tokenize.py --jieba     # also pure-Python jieba with the same words

Text: the packaged 2022 notice and catalog, plus the real passages in ../shared (when present),
repeated to --mb megabytes of UTF-8.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpora import CORPORA_DIR  # noqa: E402
from ingest.tokenize import USER_DICT_PATH, Tokenizer, read_user_dict  # noqa: E402


def corpus_text() -> str:
    parts = [(CORPORA_DIR / "campaigns" / "2022.notice.txt").read_text(encoding="utf-8")]
    catalog = CORPORA_DIR / "campaigns" / "2022.yaml"
    if catalog.exists():
        parts.append(catalog.read_text(encoding="utf-8"))
    dev = ROOT.parent / "shared" / "corpora" / "real-text" / "classify-dev.jsonl"
    if dev.exists():
        parts += [
            json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    return "\n".join(parts)


def scaled(text: str, megabytes: float) -> str:
    target = int(megabytes * 1_000_000)
    size = len(text.encode("utf-8"))
    return (text + "\n") * max(1, target // size + 1)


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, size_bytes: int, times: list[float]) -> None:
    best, median = min(times), statistics.median(times)
    mb = size_bytes / 1_000_000
    print(
        f"{label:<34} {mb / median:7.1f} MB/s median  {mb / best:7.1f} MB/s best  ({mb:.1f} MB, n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=float, default=4.0, help="text size in MB (UTF-8)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jieba", action="store_true", help="also time pure-Python jieba (slow: 0.25 MB)")
    args = parser.parse_args()

    entries = read_user_dict(USER_DICT_PATH) if USER_DICT_PATH.exists() else []
    base_load = timed(lambda: Tokenizer(), args.repeat)
    dict_load = timed(lambda: Tokenizer(entries), args.repeat)
    print(f"user dictionary: {USER_DICT_PATH} ({len(entries)} words)")
    print(f"{'load: base dictionary':<34} {statistics.median(base_load) * 1000:7.0f} ms median")
    print(f"{'load: base + domain words':<34} {statistics.median(dict_load) * 1000:7.0f} ms median")

    tokenizer = Tokenizer(entries)
    text = scaled(corpus_text(), args.mb)
    size = len(text.encode("utf-8"))
    print(f"text: {size / 1_000_000:.1f} MB, {len(text):,} characters; tokenizer {tokenizer.version}")
    report("Tokenizer.cut", size, timed(lambda: tokenizer.cut(text), args.repeat))
    report("Tokenizer.tokenize (offsets)", size, timed(lambda: tokenizer.tokenize(text), args.repeat))
    report("Tokenizer.cut_for_search", size, timed(lambda: tokenizer.cut_for_search(text), args.repeat))
    no_hmm = Tokenizer(entries, hmm=False)
    report("Tokenizer.cut (HMM off)", size, timed(lambda: no_hmm.cut(text), args.repeat))

    if args.jieba:
        import jieba

        small = text[: 250_000 // 3]
        small_size = len(small.encode("utf-8"))
        jt = jieba.Tokenizer()
        start = time.perf_counter()
        jt.initialize()
        for word, freq, pos in entries:
            jt.add_word(word, freq, pos)
        print(f"{'load: jieba + domain words':<34} {(time.perf_counter() - start) * 1000:7.0f} ms")
        report("jieba.Tokenizer.cut (pure Python)", small_size, timed(lambda: list(jt.cut(small)), 1))
        ours, theirs = _spans(tokenizer.cut(small)), _spans(jt.cut(small))
        print(f"rjieba and jieba agree on {len(ours & theirs) / len(theirs):.1%} of jieba's tokens")


def _spans(words) -> set[tuple[int, int]]:
    spans, pos = set(), 0
    for word in words:
        spans.add((pos, pos + len(word)))
        pos += len(word)
    return spans


if __name__ == "__main__":
    main()
