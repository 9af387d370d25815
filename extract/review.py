"""Review pages: a text with its figures highlighted, rendered by spaCy's displaCy.

displaCy's manual mode takes character offsets directly, so no spaCy pipeline (and no tokenizer) runs:
the figures' own `start`/`end` are the spans. The label shows kind, value and metric, so a reviewer
checks each number against the sentence it came from. spaCy is imported only here, on demand.
"""

from __future__ import annotations

from extract.model import KeyFigure

KIND_COLOURS = {
    "amount": "#f7c873",
    "quantity": "#9cd3f5",
    "percent": "#b7e4a8",
    "change": "#f5a3a3",
    "rank": "#d2b4f5",
}


def figure_label(f: KeyFigure) -> str:
    """"change 8.5% up · 社会消费品零售总额": what the reviewer should see next to the number."""
    value = f.to_json_dict()["value"]
    unit = f.unit or ""
    parts = [f"{f.kind.value} {value}{unit}"]
    if f.direction:
        parts.append(f.direction.value)
    if f.approx:
        parts.append("≈")
    if f.suspect:
        parts.append("SUSPECT")
    label = " ".join(parts)
    return f"{label} · {f.metric}" if f.metric else label


def render_html(text: str, figures: list[KeyFigure], *, title: str | None = None) -> str:
    """A standalone HTML page of `text` with every figure marked (offsets must be into `text`)."""
    from spacy import displacy

    ents = []
    colours = {}
    last_end = -1
    for f in sorted(figures, key=lambda f: f.start):
        if f.start < last_end:  # displaCy cannot draw overlapping spans
            continue
        label = figure_label(f)
        colours[label] = KIND_COLOURS[f.kind.value]
        ents.append({"start": f.start, "end": f.end, "label": label})
        last_end = f.end
    doc = {"text": text, "ents": ents, "title": title}
    return displacy.render(doc, style="ent", manual=True, page=True, jupyter=False, options={"colors": colours})
