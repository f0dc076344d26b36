"""The article's quoted statements and who made them: candidates for qualitative claims."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import Span

QUOTED = re.compile(r"“(?P<a>[^“”]{20,}?)”|(?<![\w])\"(?P<b>[^\"\n]{20,}?)\"")
SAID = r"(?:said|says|added|told\s+\w+|wrote|writes|explained|noted|read|reads)"
AFTER_SPEAKER = re.compile(rf"^\s*{SAID}\s+(?P<sp>[^.“”\"]{{3,120}})")
SPEAKER_AFTER = re.compile(rf"^\s*(?P<sp>[^.,“”\"]{{3,80}}?)\s+{SAID}\b(?P<more>[^.“”\"]{{0,120}})")
SPEAKER_BEFORE = re.compile(rf"(?P<sp>[A-Z][^.“”\"]{{2,80}}?)\s+{SAID}(?:\s*:|,)\s*$")


@dataclass(slots=True)
class Statement:
    start: int  # offsets of the quoted words in the text
    end: int
    quote: str
    speaker: str | None
    paragraph: int


def _clean_speaker(sp: str) -> str:
    sp = re.sub(r"\s+", " ", sp).strip(" ,;:")
    return sp


def statements(text: str, paragraphs: list[Span], min_words: int = 6) -> list[Statement]:
    out: list[Statement] = []
    for i, p in enumerate(paragraphs):
        last_speaker: str | None = None
        found: list[Statement] = []
        for m in QUOTED.finditer(p.text):
            inner = m["a"] if m["a"] is not None else m["b"]
            words = inner.split()
            if len(words) < min_words:
                continue
            a = m.start("a") if m["a"] is not None else m.start("b")
            quote = inner.rstrip(" ,")
            after = p.text[m.end() : m.end() + 200]
            before = p.text[max(0, m.start() - 120) : m.start()]
            s = AFTER_SPEAKER.match(after) or SPEAKER_AFTER.match(after) or SPEAKER_BEFORE.search(before)
            speaker = _clean_speaker(s["sp"]) if s is not None else None
            found.append(Statement(p.start + a, p.start + a + len(quote), quote, speaker, i))
        # a second quotation without words of its own continues the first one's speaker
        for st in found:
            if st.speaker is None:
                st.speaker = last_speaker
            last_speaker = st.speaker or last_speaker
        out += found
    return out
