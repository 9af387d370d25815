"""``jili classify``, ``jili eval classify`` and ``jili train``: a thin skin over `classify`.

Contracts used by external evaluation tools (keep them exactly):

* ``jili classify --jsonl FILE|-``: lines ``{"id", "text"}`` in; one line per input, in order, out:
  ``{"id", "measures": [ints], "scores": {"1": p, …, "30": p}, "explanations", "relevant", "model_version"}``;
* ``jili classify FILE…``: per document its region, applicant type, measures with eligibility and
  lead units, and per-passage labels (``--json``: one JSON object per document);
* ``jili eval classify --set FILE.jsonl``: per-measure P/R/F1, macro/micro F1, top-1, top-3 recall,
  negatives rejected (``--json`` too);
* ``jili train [--out DIR] [--with-reviews FILE.jsonl]``: rebuild the model reproducibly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from ingest.errors import JiliError

BATCH = 256


def _classifier(model: Path | None):
    from classify import load_classifier

    try:
        return load_classifier(model)
    except JiliError as exc:
        raise click.ClickException(exc.message) from exc


# ------------------------------------------------------------------------------------- classify


@click.command(name="classify")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--jsonl", "jsonl", type=click.File("r", encoding="utf-8"), default=None,
              help='Classify passages: JSON Lines {"id", "text"} from FILE, or - for stdin.')
@click.option("--json", "as_json", is_flag=True, help="Documents: one JSON object per document.")
@click.option("--model", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model directory [default: the packaged model in corpora/models].")
@click.option("--no-explain", is_flag=True, help="Leave out the terms behind each label (faster).")
@click.option("--no-ocr", is_flag=True, help="Documents: do not OCR garbled or image-only pages.")
@click.option("--region", default=None, help="Documents: the uploading region (as an uploader's token), e.g. 奉节县.")
def classify_cmd(files: tuple[Path, ...], jsonl: IO[str] | None, as_json: bool, model: Path | None,
                 no_explain: bool, no_ocr: bool, region: str | None) -> None:
    """Label passages (--jsonl) or documents (FILES) with the 督查激励 measures they are evidence for.

    For passages, every output line carries a calibrated score for each of the 30 measures and the
    measures chosen (an empty list: the passage supports no measure). For a document: the declaring
    region and applicant type, the document's measures with eligibility and the lead units each goes
    to, and the labels of every passage.
    """
    if jsonl is None and not files:
        raise click.UsageError("give FILES to classify documents, or --jsonl FILE|- for passages")
    if jsonl is not None and files:
        raise click.UsageError("--jsonl and FILES cannot be combined")
    classifier = _classifier(model)
    if jsonl is not None:
        _classify_jsonl(classifier, jsonl, explain=not no_explain)
        return
    _classify_files(classifier, files, as_json=as_json, ocr=not no_ocr, region=region)


def _read_passages(stream: IO[str]) -> Iterator[tuple[Any, str]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield record.get("id", number), str(record["text"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise click.ClickException(f'line {number}: expected {{"id": …, "text": "…"}} ({exc})') from exc


def _classify_jsonl(classifier, stream: IO[str], *, explain: bool) -> None:
    out = sys.stdout
    batch: list[tuple[Any, str]] = []

    def flush() -> None:
        labels = classifier.predict([text for _, text in batch], explain=explain)
        for (item_id, _), label in zip(batch, labels, strict=True):
            record = {"id": item_id, **label.model_dump(mode="json")}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
        batch.clear()

    for item in _read_passages(stream):
        batch.append(item)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()


def _classify_files(classifier, files: tuple[Path, ...], *, as_json: bool, ocr: bool, region: str | None) -> None:
    from api.commands.sandboxed import parse_files
    from classify import classify_document, load_campaign
    from classify.lateness import lateness
    from ingest import ParseOptions

    campaign = load_campaign()
    try:
        deadline = campaign.deadline("declaration").date
    except KeyError:
        deadline = None

    options = ParseOptions(ocr=ocr)
    ok = failed = 0
    for result in parse_files(files, options):
        if result.document is None:
            failed += 1
            click.echo(f"error: {result.error}", err=True)
            if as_json:
                error = {"code": getattr(result.error, "code", "error"), "message": str(result.error)}
                sys.stdout.write(json.dumps({"name": result.name, "error": error}, ensure_ascii=False) + "\n")
            continue
        try:
            labels = classify_document(result.document, classifier, campaign=campaign, uploader_region=region)
        except JiliError as exc:
            failed += 1
            click.echo(f"error: {result.name}: {exc.message}", err=True)
            continue
        ok += 1
        doc = result.document
        late = lateness(deadline, doc_date=doc.gongwen.date, metadata=doc.metadata)
        dated = {"doc_date": doc.gongwen.date, "date_text": doc.gongwen.date_text, "deadline": late.deadline,
                 "late": late.late, "late_source": late.source, "late_reason": late.reason()}
        if as_json:
            record = {"name": result.name, **labels.model_dump(mode="json"), **dated}
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            click.echo(_document_text(result.name, labels, doc, late))
    if ok == 0 and failed:
        sys.exit(1)


def _document_text(name: str, labels, doc, late) -> str:
    lines = [name]
    if labels.region:
        kind = labels.applicant_type.value if labels.applicant_type else "类型未知"
        confidence = f"，置信度 {labels.region_confidence:.2f}" if labels.region_confidence is not None else ""
        lines.append(f"  申报单位  {labels.region}    类型 {kind}{confidence}")
        if labels.region_warning:
            lines.append(f"            {labels.region_warning}")
    else:
        lines.append("  申报单位  未识别")
    when = doc.gongwen.date or "未找到"
    status = {True: f"逾期（{late.reason()}）", False: "按时", None: "无法判断"}[late.late]
    lines.append(f"  成文日期  {when}    申报时限 {late.deadline or '—'}：{status}")
    if not labels.measures:
        lines.append("  措施      无（没有段落足以支持任何激励措施）")
    for m in labels.measures:
        eligible = {True: "符合", False: "不符合", None: "未知"}[m.eligible]
        source = "标题" if m.named_in_title else f"{m.passages}段"
        units = "、".join(m.lead_units) + (f"；配合 {'、'.join(m.co_units)}" if m.co_units else "")
        level = "申报" if m.level == "declared" else "可能涉及"
        lines.append(
            f"  措施 {m.measure_id:>2}  {m.title}  {level}（概率 {m.probability:.2f}，{source}）  申报资格 {eligible}"
            f"  牵头 {units}"
        )
        if m.eligible is False:
            lines.append(f"            {m.eligibility}")
        if m.evidence:
            lines.append(f"            证据段落 {', '.join(m.evidence)}")
    if labels.routing:
        routed = "；".join(f"{unit}（措施{'、'.join(map(str, ids))}）" for unit, ids in labels.routing.items())
        lines.append(f"  报送牵头单位  {routed}")
    lines.append(f"  段落（{labels.relevant_passages}/{len(labels.passages)} 段有措施）")
    texts = {p.id: p.text for p in doc.passages}
    for pid, label in labels.passages.items():
        if not label.measures:
            continue
        best = max(label.scores[m] for m in label.measures)
        why = "; ".join(f"{m}: {'、'.join(label.explanations.get(m, [])[:3])}" for m in label.measures)
        snippet = texts.get(pid, "").replace("\n", " ")[:40]
        lines.append(f"    {pid:<5} {str(label.measures):<12} {best:.2f}  {snippet}…  [{why}]")
    lines.append(f"  模型 {labels.model_version}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- eval


@click.command(name="classify")
@click.option("--set", "labelled", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='Labelled passages, JSON Lines {"id", "text", "measures": [ints]}.')
@click.option("--json", "as_json", is_flag=True, help="Print the report (with per-item predictions) as JSON.")
@click.option("--model", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model directory [default: the packaged model].")
def eval_classify_cmd(labelled: Path, as_json: bool, model: Path | None) -> None:
    """Score the classifier on a labelled set: per-measure P/R/F1, macro and micro F1, top-1
    accuracy, top-3 recall and the share of negatives rejected."""
    from classify import evaluate, load_campaign, read_labelled
    from classify.evaluate import format_report

    classifier = _classifier(model)
    try:
        items = read_labelled(labelled)
        report = evaluate(classifier, items)
    except JiliError as exc:
        raise click.ClickException(exc.message) from exc
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    titles = {m.id: m.title for m in load_campaign().measures}
    click.echo(format_report(report, titles))


# ---------------------------------------------------------------------------------------- train


@click.command(name="train")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write measures.npz and measures.json [default: corpora/models].")
@click.option("--with-reviews", "reviews", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='Extra labelled lines {"text", "measures"} (reviewer corrections) folded into training; repeatable.')
@click.option("--dev", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A labelled set to measure and record in the sidecar (5-fold if it is also a review file).")
@click.option("--ablations", is_flag=True, help="Also measure the ablation table on --dev (slow: minutes).")
def train_cmd(out: Path | None, reviews: tuple[Path, ...], dev: Path | None, ablations: bool) -> None:
    """Rebuild the measure classifier from corpora/training (and reviewer corrections).

    Deterministic: the same corpus, reviews, catalog and term lists give the same artefact bytes and
    the same model version. The sidecar records the training-data hash and the metrics measured.
    """
    from classify.evaluate import evaluate, run_ablations, score_predictions
    from classify.model import MODELS_DIR
    from classify.training import (
        Resources,
        heldout_cross_validation,
        load_training,
        read_labelled,
        summary,
        train,
        training_files,
    )

    try:
        resources = Resources.default()
        base = load_training()
        review_items = {path: read_labelled(path) for path in reviews}
        sources = {str(p.relative_to(p.parents[1])): _sha256(p) for p in training_files()}
        sources.update({str(p): _sha256(p) for p in reviews})
        click.echo(f"training on {len(base)} corpus passages + {sum(map(len, review_items.values()))} reviewed",
                   err=True)
        classifier = train(base, reviews=[i for items in review_items.values() for i in items],
                           resources=resources, sources=sources)
        metrics = classifier.metadata.metrics
        if dev is not None:
            dev_items = read_labelled(dev)
            key = next((p for p in review_items if p.resolve() == dev.resolve()), None)
            gold = [list(d.measures) for d in dev_items]
            if key is not None:
                others = [i for p, items in review_items.items() if p != key for i in items]
                click.echo("5-fold cross-validation over the dev items …", err=True)
                predicted, probs = heldout_cross_validation(base + others, dev_items, resources=resources)
                metrics["dev_cv"] = summary(score_predictions(gold, predicted, probs, classifier.labels))
                click.echo("dev without training on it …", err=True)
                unseen = train(base + others, resources=resources)
                metrics["dev_not_trained_on"] = summary(evaluate(unseen, dev_items))
            else:
                metrics["dev"] = summary(evaluate(classifier, dev_items))
            metrics["dev_set"] = {"path": str(dev), "sha256": _sha256(dev), "items": len(dev_items)}
            if ablations:
                click.echo("ablations …", err=True)
                extra = [i for p, items in review_items.items() if p != key for i in items]
                metrics["ablations"] = run_ablations(dev_items, base=base + extra,
                                                     progress=lambda line: click.echo(line, err=True))
        npz, sidecar = classifier.save(out or MODELS_DIR)
    except JiliError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"model {classifier.version}")
    for name, values in classifier.metadata.metrics.items():
        if isinstance(values, dict) and "macro_f1" in values:
            click.echo(f"  {name:<20} " + "  ".join(
                f"{k} {values[k]:.4f}" for k in ("macro_f1", "micro_f1", "top1_accuracy", "top3_recall",
                                                 "negatives_rejected") if values.get(k) is not None))
    click.echo(f"  wrote {npz} ({npz.stat().st_size // 1024} KiB) and {sidecar}")


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@click.command(name="train-aggregation")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Rendered declarations with their gold (scripts/build_declarations.py DIR: manifest.jsonl).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model [default: corpora/models/document_measures.json].")
def train_aggregation_cmd(corpus: Path, out: Path | None) -> None:
    """Refit the document-level measure model on declarations whose measures are known.

    Uses the rendered corpus's manifest (`measures` of each file) and the sample declarations
    (corpora/samples/src front matter); cross-validates by writer group and records the scores.
    """
    import yaml

    from api.training import read_manifest
    from classify.aggregation import MODEL_PATH, train_document_model
    from corpora import CORPORA_DIR
    from ingest import ParseOptions, parse_document

    examples = []
    for item in read_manifest(corpus):
        doc = parse_document((corpus / item["filename"]).read_bytes(), item["filename"], ParseOptions(ocr=False))
        examples.append((doc, set(item["measures"]), item["id"].split("-")[0]))
    for src in sorted((CORPORA_DIR / "samples" / "src").glob("*.md")):
        meta = yaml.safe_load(src.read_text(encoding="utf-8")[4:].split("\n---\n", 1)[0])
        path = CORPORA_DIR / "samples" / meta["filename"]
        examples.append((parse_document(path.read_bytes(), path.name, ParseOptions(ocr=False)), set(meta["measures"]),
                         "samples"))
    model, training = train_document_model(examples)
    target = out or MODEL_PATH
    target.write_text(model.to_json(training), encoding="utf-8")
    cv = model.metrics["cross_validated"]
    click.echo(f"{training['documents']} documents; cross-validated by writer: P {cv['precision']:.3f} "
               f"R {cv['recall']:.3f} F1 {cv['f1']:.3f} at {cv['declared_threshold']}; written {target}", err=True)


@click.command(name="train-practice")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Rendered declarations (scripts/build_declarations.py DIR: files and manifest.jsonl).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the model [default: corpora/models/practice_ranker.json].")
def train_practice_cmd(corpus: Path, out: Path | None) -> None:
    """Refit the typical-experience ranker on the judged declarations (corpora/declarations/judgments).

    Ingests the corpus into a temporary store through the service's engine (each file by its
    uploader's region), lines the stored passages up with the 0–3 judgments, reports nDCG@5 and P@1 on
    the held-back writer group and by writer group, and writes the model refitted on everything.
    """
    import tempfile

    from api.training import ingest_declarations, judged_passages, read_manifest, train_practice
    from classify.practice import MODEL_PATH
    from index import Store

    items = read_manifest(corpus)
    with tempfile.TemporaryDirectory(prefix="jili-train-") as tmp:
        rows = ingest_declarations(corpus, Path(tmp), items)
        store = Store(tmp)
        try:
            judged = judged_passages(store, items, rows)
        finally:
            store.close()
    model, training = train_practice(judged)
    target = out or MODEL_PATH
    target.write_text(model.to_json(training), encoding="utf-8")
    held = model.metrics.get("held_back", {})
    click.echo(f"{training['passages']} judged passages in {training['declarations']} declarations; held back "
               f"{held.get('group')}: nDCG@5 {held.get('ndcg@5')} P@1 {held.get('p@1')} "
               f"practice at 1 {held.get('gold_practice_at_1')}; written {target}", err=True)
