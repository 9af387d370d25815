"""extract: key figures from segments — amounts, quantities, percentages, changes and ranks, cited.

Public API:
    extract_figures(text, *, source) -> list[KeyFigure]     # offsets relative to `text`
    extract_document(doc) -> list[KeyFigure]                # every segment; offsets into Document.text
    evaluate(predicted, gold) -> dict                       # P/R/F1 per kind, metric accuracy
    KeyFigure, FigureKind, Period, RULES_VERSION
"""

from extract.document import extract_document
from extract.evaluate import evaluate
from extract.figures import extract_figures
from extract.model import Direction, FigureKind, KeyFigure, Period
from extract.rules import RULES_VERSION, RulesError

__all__ = [
    "RULES_VERSION", "Direction", "FigureKind", "KeyFigure", "Period", "RulesError", "evaluate",
    "extract_document", "extract_figures",
]
