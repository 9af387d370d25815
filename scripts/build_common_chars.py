"""Regenerate corpora/lexicon/common_chars.txt: the 7,000 most frequent CJK characters in jieba's
dictionary (by summed word frequency). The PDF quality gate uses it to spot text layers that decode to
real but rare characters (wrong ToUnicode maps: "犐犆犛" for "ICS")."""

import collections
import os
import sys

import jieba

path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
freq: collections.Counter = collections.Counter()
with open(path, encoding="utf-8") as fh:
    for line in fh:
        parts = line.split()
        if len(parts) >= 2:
            for ch in parts[0]:
                if "\u4e00" <= ch <= "\u9fff":
                    freq[ch] += int(parts[1])
top = "".join(ch for ch, _ in freq.most_common(7000))
out = os.path.join(os.path.dirname(__file__), "..", "corpora", "lexicon", "common_chars.txt")
with open(out, "w", encoding="utf-8") as fh:
    for i in range(0, len(top), 100):
        fh.write(top[i:i + 100] + "\n")
print(f"wrote {len(top)} characters to {os.path.normpath(out)}", file=sys.stderr)
