"""Paragraphs, sentences and clauses of a saved text, each with its offsets in that text.

A paragraph is a line. Markup left in a text (`<p>`, `<strong>`, `<br>`) cuts it into pieces
no sentence crosses, so that a quote never holds a tag; a Markdown table row is one sentence
(its cells kept, so that a quote is the row's label and value); a heading is a short line
without a full stop. Sentences are cut by a rule of our own, linear in the text (pysbd, used
before, slowed down more than linearly on long paragraphs: 220 KB took 10 s): at a full stop,
question or exclamation mark followed by a capital, a digit or a quotation mark, never after
an abbreviation, an initial, or a list number at the start of a line. Every span is located in
the text, so that every quote is the text's own characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Sentence(Span):
    paragraph: int  # index of its paragraph
    heading: bool = False  # a short line without a full stop, before other text
    table: bool = False  # a table row
    row: bool = False  # a row of a table without pipes (tabs, or cells flattened into words): set by the drafter


_TAG = re.compile(r"<[^<>\n]{1,200}>")
_ABBREV = re.compile(
    r"(?:mr|mrs|ms|dr|prof|sr|jr|st|inc|corp|co|ltd|mt|no|vs|etc|approx|est|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"gov|sen|rep|gen|col|lt|fig|vol|pp|ca|u\.s|u\.k|e\.g|i\.e|a\.m|p\.m)",
    re.I,
)
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9$€£#@]|\s*$)")
_LIST_NUMBER = re.compile(r"\s*\d{1,2}\.$")
_HEADING_END = (".", ",", ";", ":", "!", "?", "…")


def paragraphs(text: str) -> list[Span]:
    """Each non-empty line is a paragraph (trafilatura's text output and pasted articles both put one per line)."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        stripped = m.group().strip()
        if stripped:
            lead = len(m.group()) - len(m.group().lstrip())
            out.append(Span(m.start() + lead, m.start() + lead + len(stripped), stripped))
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one piece of text."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if text[m.start()] == "." and len(m.group().rstrip("\"”’')]")) == 1:
            before = text[start : m.start()]
            word = re.search(r"(\S+)$", before)
            token = word.group(1).lstrip('("“‘') if word else ""
            if (
                _ABBREV.fullmatch(token)
                or re.fullmatch(r"[A-Z]", token)
                or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token)
                or _LIST_NUMBER.fullmatch(text[start : m.end()])
            ):
                continue
        _add(text, start, m.end(), out)
        start = m.end()
    _add(text, start, len(text), out)
    return out


def _add(text: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    piece = text[a:b]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        out.append((a + lead, a + lead + len(stripped)))


def sentences(text: str, paras: list[Span] | None = None) -> list[Sentence]:
    out: list[Sentence] = []
    paras = paragraphs(text) if paras is None else paras
    for i, p in enumerate(paras):
        if p.text.startswith("|") and p.text.count("|") >= 2:
            if not re.fullmatch(r"[|:\-\s]+", p.text):  # not the |---|---| rule
                out.append(Sentence(p.start, p.end, p.text, i, table=True))
            continue
        cursor = 0
        pieces = []
        for tag in _TAG.finditer(p.text):
            pieces.append((cursor, tag.start()))
            cursor = tag.end()
        pieces.append((cursor, len(p.text)))
        found: list[Sentence] = []
        for a, b in pieces:
            for s, e in split_sentences(p.text[a:b]):
                found.append(Sentence(p.start + a + s, p.start + a + e, p.text[a + s : a + e], i))
        if len(found) == 1 and _is_heading(found[0].text, i, paras):
            found[0].heading = True
        out += found
    return out


def _is_heading(line: str, i: int, paras: list[Span]) -> bool:
    words = line.split()
    return 1 <= len(words) <= 14 and not line.endswith(_HEADING_END) and i + 1 < len(paras)


_CLAUSE_BREAK = re.compile(r",\s+|;\s+|\s+[–—]\s+|:\s+|\s+\|\s+|\(|\)")


def clause(sentence: str, start: int, end: int, min_words: int = 5) -> tuple[int, int]:
    """The clause of `sentence` around [start, end): (start, end) offsets in the sentence.

    Clauses break at commas, semicolons, dashes, colons and brackets; a clause of fewer than
    `min_words` words takes in its neighbours until it has them."""
    cuts = [0]
    for m in _CLAUSE_BREAK.finditer(sentence):
        if m.start() < start < m.end() or m.start() < end < m.end() or start <= m.start() < end:
            continue  # never cut inside the figure
        if m.group().startswith(",") and re.match(r"\d{3}", sentence[m.end() - 1 : m.end() + 2]):
            continue
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
    b = a + len(piece.rstrip(" ,;:–—(|"))
    a += len(piece) - len(piece.lstrip(" ,;:–—)|"))
    return a, max(b, end)
