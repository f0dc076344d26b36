"""Corpus text made literal Markdown (every Markdown export goes through md), and a
figure as the exports and the screens word it (value_text)."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Mapping
from typing import Any

from ..fmt import format_value, safe_text

_MD_SPECIALS = "\\`*_[]<>|~#!"  # each gets a backslash before it (the backslash itself first)
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
# `scheme://`, `//host` (linkify-it links a protocol-relative name), `@` (e-mail, and
# mentions on GitHub), `www.`, and a dot before what a linker takes for a top-level domain
# (any two letters, or one of linkify-it's list)
_MD_AUTOLINK = re.compile(
    r"(:(?=//)|/(?=/)|@|(?<=\b[wW][wW][wW])\.|(?<=\w)\.(?=(?:[^\W\d_]{2}|(?i:com|net|org|edu|gov|biz|pro|web|xxx|aero|asia|coop|info|museum|name|shop))(?![^\W_])))",
)

_MD_AUTOLINK_MAYBE = re.compile(r"//|@|(?i:www)\.|\.(?=[^\W\d_])")  # what every match of _MD_AUTOLINK holds


def _escaped(m: re.Match[str]) -> str:
    return "\\" + m[0]


def md(text: str | None) -> str:
    """Corpus text as literal Markdown inline text: one line, markup and HTML escaped."""
    if text is None:
        return ""
    out = safe_text(" ".join(str(text).split()))
    for c in _MD_SPECIALS:  # the backslash first; a scan per character (memchr) beats a regex's and translate
        if c in out:
            out = out.replace(c, "\\" + c)
    if "&" in out:
        out = _MD_ENTITY.sub(_escaped, out)
    # GFM autolinks bare URLs, www. names, e-mail addresses (and linkify-it any domain):
    # an escaped character splits the text a linker reads, and renders as itself. Each
    # alternative of the pattern needs "//", "@", "www." or a dot before a letter: without
    # one (most text: a date, a figure's decimals), nothing to do (a quicker scan than the sub)
    if ("//" in out or "@" in out or "." in out) and _MD_AUTOLINK_MAYBE.search(out):
        out = _MD_AUTOLINK.sub(_escaped, out)
    return out


@functools.lru_cache(maxsize=1 << 15)
def md_short(text: str | None) -> str:
    """md() of a value that repeats from row to row (entity, topic, value, period, status)."""
    return md(text)


def code(text: str) -> str:
    """Text inside a one-backtick code span: one line, backticks and pipes made harmless."""
    return safe_text(" ".join(text.split())).replace("`", "ʼ").replace("|", "\\|")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def value_text(row: sqlite3.Row | Mapping[str, Any]) -> str:
    return format_value(row["value_low"], row["value_high"], row["unit"], row["bound"])
