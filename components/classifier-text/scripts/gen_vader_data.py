#!/usr/bin/env python3
"""Regenerates data/vader_lexicon.tsv and data/vader_emoji.tsv from a vaderSentiment 3.3.2 checkout.

Usage: python3 scripts/gen_vader_data.py /path/to/vaderSentiment

The lexicon keeps only token and mean (the standard deviation and raw ratings are not used by
the algorithm). Duplicate tokens keep the last value, as the reference's dict does. The emoji
table keeps only single-code-point emoji: the reference replaces emoji while iterating the text
one code point at a time, so multi-code-point entries can never match there either.
"""
import sys
from pathlib import Path

src = Path(sys.argv[1])
here = Path(__file__).resolve().parent.parent / "data"

lexicon = {}
for line in (src / "vader_lexicon.txt").read_text(encoding="utf-8").rstrip("\n").split("\n"):
    if not line:
        continue
    word, measure = line.strip().split("\t")[0:2]
    lexicon[word] = float(measure)
with open(here / "vader_lexicon.tsv", "w", encoding="utf-8", newline="\n") as out:
    for word, measure in lexicon.items():
        out.write(f"{word}\t{measure}\n")

emoji = {}
for line in (src / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").rstrip("\n").split("\n"):
    key, description = line.strip().split("\t")[0:2]
    emoji[key] = description
with open(here / "vader_emoji.tsv", "w", encoding="utf-8", newline="\n") as out:
    for key, description in emoji.items():
        if len(key) == 1:
            out.write(f"{key}\t{description}\n")
