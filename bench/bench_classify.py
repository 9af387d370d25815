"""Benchmark the measure classifier: model load time and passages per second after load.

Prints numbers only (no asserts): machines here are shared and noisy, so read ranges, not one figure.
Goals: load <= 1 s, >= 2,000 passages/s on one core.

    .venv/bin/python bench/bench_classify.py                # packaged model
    .venv/bin/python bench/bench_classify.py --model DIR --passages 5000 --repeat 5

Load time is measured in fresh processes (imports included, then `load_classifier()`), since the
first load in a process is what a CLI call pays. Throughput runs in this process with BLAS and
OpenMP limited to one thread. Passages: the real passages in ../shared (when present), else the
training corpus, cycled to --passages.
"""

from __future__ import annotations

import argparse
import json
import os

# one core: set before numpy and scipy are imported
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classify import MeasureClassifier, classify_document  # noqa: E402
from classify.model import MODELS_DIR  # noqa: E402
from classify.training import load_training  # noqa: E402

DEV = ROOT.parent / "shared" / "corpora" / "real-text" / "classify-dev.jsonl"

_LOAD_SNIPPET = """
import time
t0 = time.perf_counter()
from classify import load_classifier
t1 = time.perf_counter()
clf = load_classifier({model!r})
t2 = time.perf_counter()
clf.predict(["新建高标准农田5万亩。"])
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def passages(n: int) -> tuple[list[str], str]:
    if DEV.exists():
        texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
        source = "classify-dev.jsonl (provincial reports)"
    else:
        texts = [item.text for item in load_training()]
        source = "training corpus"
    return [texts[i % len(texts)] for i in range(n)], source


def load_times(model: Path | None, repeat: int) -> list[tuple[float, float, float]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = []
    for _ in range(repeat):
        code = _LOAD_SNIPPET.format(model=str(model) if model else None)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        a, b, c = (float(x) for x in result.stdout.split())
        out.append((a, b, c))
    return out


def rate(fn, n: int, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return n / statistics.median(times), n / min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model directory [default: packaged]")
    parser.add_argument("--passages", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    model_dir = args.model or MODELS_DIR
    npz = model_dir / "measures.npz"
    print(f"model {model_dir} ({npz.stat().st_size / 1e6:.2f} MB arrays)")
    loads = load_times(args.model, args.repeat)
    imports = statistics.median(x[0] for x in loads)
    load = statistics.median(x[1] for x in loads)
    first = statistics.median(x[2] for x in loads)
    print(f"{'import classify':<34} {imports:6.3f} s median")
    print(f"{'load_classifier()':<34} {load:6.3f} s median   (goal <= 1 s)")
    print(f"{'import + load':<34} {imports + load:6.3f} s median")
    print(f"{'first prediction':<34} {first:6.3f} s median")

    clf = MeasureClassifier.load(args.model)
    texts, source = passages(args.passages)
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"passages: {len(texts)} from {source}, mean {chars:.0f} chars; one thread")
    clf.predict(texts[:50])  # warm caches

    median, best = rate(lambda: clf.rule.apply(clf.scores(texts)), len(texts), args.repeat)
    print(f"{'labels + scores':<34} {median:8.0f} passages/s median  {best:8.0f} best   (goal >= 2,000)")
    median, best = rate(lambda: clf.predict(texts, explain=False), len(texts), args.repeat)
    print(f"{'predict(explain=False)':<34} {median:8.0f} passages/s median  {best:8.0f} best")
    median, best = rate(lambda: clf.predict(texts), len(texts), args.repeat)
    print(f"{'predict() with explanations':<34} {median:8.0f} passages/s median  {best:8.0f} best")

    from ingest import ParseOptions, parse_path

    samples = sorted((ROOT / "corpora" / "samples").glob("*.docx"))
    docs = [r.document for p in samples for r in parse_path(p, ParseOptions(ocr=False)) if r.document]
    if docs:
        median, best = rate(lambda: [classify_document(d, clf) for d in docs], len(docs), args.repeat)
        n_passages = sum(len(d.passages) for d in docs) / len(docs)
        print(f"{'classify_document (parsed)':<34} {median:8.1f} documents/s median ({n_passages:.0f} passages each)")


if __name__ == "__main__":
    main()
