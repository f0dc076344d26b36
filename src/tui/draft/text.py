"""Paragraphs, sentences and clauses of a saved text, each with its offsets in that text.

Sentences come from pysbd (on the five bundled articles every curated quote
falls inside one of its sentences; syntok cut one of them in two). pysbd's
output is located back in the text, so that every quote is the text's own
characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Sentence(Span):
    paragraph: int  # index of its paragraph


class _Segmenter(Protocol):
    """What is used of pysbd.Segmenter (pysbd has no type hints)."""

    def segment(self, text: str) -> list[str]: ...


@lru_cache(maxsize=1)
def _segmenter() -> _Segmenter:
    import pysbd

    segmenter: _Segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter


def paragraphs(text: str) -> list[Span]:
    """Each non-empty line is a paragraph (trafilatura's text output and pasted articles both put one per line)."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        stripped = m.group().strip()
        if stripped:
            lead = len(m.group()) - len(m.group().lstrip())
            out.append(Span(m.start() + lead, m.start() + lead + len(stripped), stripped))
    return out


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    seg = _segmenter()
    for i, p in enumerate(paragraphs(text)):
        cursor = 0
        for piece in seg.segment(p.text):
            piece = piece.strip()
            if not piece:
                continue
            at = p.text.find(piece, cursor)
            if at < 0:  # pysbd changed the text: fall back to the rest of the paragraph
                rest = p.text[cursor:].strip()
                if rest:
                    at = p.text.find(rest, cursor)
                    out.append(Sentence(p.start + at, p.start + at + len(rest), rest, i))
                break
            out.append(Sentence(p.start + at, p.start + at + len(piece), piece, i))
            cursor = at + len(piece)
    return out


_CLAUSE_BREAK = re.compile(r",\s+|;\s+|\s+[–—]\s+|:\s+")


def clause(sentence: str, start: int, end: int, min_words: int = 5) -> tuple[int, int]:
    """The clause of `sentence` around [start, end): (start, end) offsets in the sentence.

    Clauses break at commas, semicolons, dashes and colons; a clause of
    fewer than `min_words` words takes in its neighbours until it has them."""
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(sentence):
        if m.start() < start < m.end() or m.start() < end < m.end() or start <= m.start() < end:
            continue  # never cut inside the figure
        cuts += [m.start(), m.end()]
    cuts.append(len(sentence))
    bounds = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    bounds = [(a, b) for a, b in bounds if b > a]
    idx = next((i for i, (a, b) in enumerate(bounds) if a <= start < b), None)
    if idx is None:
        return 0, len(sentence)
    lo = hi = idx

    def words(a: int, b: int) -> int:
        return len(sentence[bounds[a][0] : bounds[b][1]].split())

    while words(lo, hi) < min_words and (lo > 0 or hi < len(bounds) - 1):
        if hi < len(bounds) - 1:
            hi += 1
        if words(lo, hi) < min_words and lo > 0:
            lo -= 1
    a, b = bounds[lo][0], bounds[hi][1]
    piece = sentence[a:b]
    b = a + len(piece.rstrip(" ,;:–—"))
    return a, max(b, end)
