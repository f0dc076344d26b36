"""Quotes against the texts they come from: every quote must appear in its source's
document, whitespace aside, otherwise exactly; where one stops matching, say where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .fields import HintedProblem
from .fmt import safe_text
from .model import Corpus, Problem, Source

# --- quotes ------------------------------------------------------------------

_WS = re.compile(r"\s+")


def normalise_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _source_problems(s: Source, path: Path) -> list[Problem]:
    """Every quote of one source against the text at `path`, each mismatch with where it
    stops matching and the differing characters made visible."""
    try:
        text = normalise_ws(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(s.file, s.line, "document", safe_text(f"cannot read {path}: {exc}"))]
    problems: list[Problem] = []
    for c in s.claims:
        quote = normalise_ws(c.quote)
        if quote not in text:
            problems.append(
                HintedProblem(
                    c.file,
                    c.at("quote"),
                    "quote",
                    f"not found in {safe_text(s.document)}: {c.quote[:80]!r}",
                    safe_text(quote_mismatch(quote, text)),
                )
            )
    return problems


def verify_quotes(corpus: Corpus, texts_dir: Path | str) -> list[Problem]:
    """Every quote must appear in its source's document (found in `texts_dir`), whitespace
    aside, otherwise exactly. Sources without a document are not looked at (check_quotes
    counts them)."""
    return [p for s in corpus.sources if s.document for p in _source_problems(s, Path(texts_dir) / s.document)]


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
    return (
        f"matches up to {'…' if lo > 30 else ''}{shown!r}, then the quote has {_visible(quote[lo])} "
        f"where the text has {_visible(theirs)}: {text[max(0, at + lo - 30) : at + lo + 30]!r}"
    )


def check_quotes(corpus: Corpus, data_dir: Path | str, texts_dir: Path | str | None = None) -> QuoteCheck:
    """Every quote against its source's text: found in `texts_dir` when given and there, else
    under DATA/texts. A source whose text is in neither (or that names no document) is
    counted as not verified, never called verified."""
    own = Path(data_dir) / TEXTS_DIR
    result = QuoteCheck([], {}, {})
    for s in corpus.sources:
        found = None
        if s.document:
            for folder in ([Path(texts_dir)] if texts_dir is not None else []) + [own]:
                if (folder / s.document).is_file():
                    found = folder / s.document
                    break
        if found is None:
            result.no_text[s.id] = len(s.claims)
            continue
        problems = _source_problems(s, found)
        result.problems += problems
        if not problems:
            result.verified[s.id] = len(s.claims)
    return result
