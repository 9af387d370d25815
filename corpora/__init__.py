"""Domain data only: catalog, gazetteer, dictionaries, rules, training and sample corpora.

Code elsewhere reads these files through `CORPORA_DIR` (or paths from settings); nothing here runs logic.
"""

from pathlib import Path

CORPORA_DIR = Path(__file__).resolve().parent
