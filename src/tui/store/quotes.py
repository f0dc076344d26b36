"""Quotes against the texts they come from: every quote must appear in its source's
document, whitespace aside, otherwise exactly; where one stops matching, say where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .fields import HintedProblem
from .fmt import safe_text
from .model import (
    Corpus,
    Problem,
)

# --- quotes ------------------------------------------------------------------

_WS = re.compile(r"\s+")


def normalise_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def verify_quotes(corpus: Corpus, texts_dir: Path | str) -> list[Problem]:
    """Every quote must appear in its source's document, whitespace aside, otherwise exactly."""
    texts_dir = Path(texts_dir)
    problems: list[Problem] = []
    for s in corpus.sources:
        if not s.document:
            continue
        path = texts_dir / s.document
        try:
            text = normalise_ws(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(s.file, s.line, "document", safe_text(f"cannot read {path}: {exc}")))
            continue
        for c in s.claims:
            if normalise_ws(c.quote) not in text:
                problems.append(Problem(c.file, c.at("quote"), "quote", f"not found in {safe_text(s.document)}: {c.quote[:80]!r}"))
    return problems


# --- quotes against the corpus's own texts, and the warnings ----------------------------------

TEXTS_DIR = "texts"  # DATA/texts/<document>: the texts `pivot add` saves


@dataclass
class QuoteCheck:
    problems: list[Problem]
    verified: dict[str, int]  # source id -> claims verified
    no_text: dict[str, int]  # source id -> claims not verified: no text


def _visible(ch: str) -> str:
    import unicodedata

    if ch == "":
        return "the end of the text"
    name = unicodedata.name(ch, f"U+{ord(ch):04X}")
    shown = ch if ch.isprintable() and not ch.isspace() else ""
    return f"{shown!r} ({name.lower()}, U+{ord(ch):04X})" if shown else f"U+{ord(ch):04X} ({name.lower()})"


def quote_mismatch(quote: str, text: str) -> str:
    """Where a quote stops matching the text (both whitespace-normalised), in words."""
    lo, hi = 0, len(quote)
    while lo < hi:  # the longest prefix of the quote found in the text
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo < 8:
        return "no part of it is in the text; is it from this article?"
    at = text.find(quote[:lo])
    theirs = text[at + lo : at + lo + 1]
    shown = quote[max(0, lo - 30) : lo]
    return (f"matches up to {'…' if lo > 30 else ''}{shown!r}, then the quote has {_visible(quote[lo])} "
            f"where the text has {_visible(theirs)}: {text[max(0, at + lo - 30) : at + lo + 30]!r}")


def check_quotes(corpus: Corpus, data_dir: Path | str, texts_dir: Path | str | None = None) -> QuoteCheck:
    """Every quote against its source's text: under `texts_dir` when given (as verify_quotes does),
    else under DATA/texts. A source whose text is in neither is counted, never called verified."""
    own = Path(data_dir) / TEXTS_DIR
    result = QuoteCheck([], {}, {})
    for s in corpus.sources:
        if not s.document:
            if texts_dir is None:
                result.no_text[s.id] = len(s.claims)
            continue
        if texts_dir is not None and ((Path(texts_dir) / s.document).is_file() or not (own / s.document).is_file()):
            problems = verify_quotes(Corpus([], [], [s]), texts_dir)
            result.problems += problems
            if not problems:
                result.verified[s.id] = len(s.claims)
            continue
        path = own / s.document
        if not path.is_file():
            result.no_text[s.id] = len(s.claims)
            continue
        try:
            text = normalise_ws(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            result.problems.append(Problem(s.file, s.line, "document", safe_text(f"cannot read {path}: {exc}")))
            continue
        before = len(result.problems)
        for c in s.claims:
            quote = normalise_ws(c.quote)
            if quote not in text:
                result.problems.append(HintedProblem(
                    c.file, c.at("quote"), "quote", f"not found in {safe_text(s.document)}: {c.quote[:80]!r}",
                    safe_text(quote_mismatch(quote, text))))
        if len(result.problems) == before:
            result.verified[s.id] = len(s.claims)
    return result
