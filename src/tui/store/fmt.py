"""Turning stored values into text people read: figures, and corpus text made safe to show.

No Textual and no Rich here: the CLI's Rich tables, the Markdown export and
the explorer all format through these functions, so "$115–135 B" reads the
same everywhere.
"""

from __future__ import annotations

import functools
import re

BOUND_SIGN = {"exact": "", "approx": "~", "at-least": "≥ ", "at-most": "≤ "}
BOUND_WORD = {"exact": "exactly", "approx": "about", "at-least": "at least", "at-most": "at most"}
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"))
_UNIT_WORDS = {"percent": "%"}


def _num(x: float) -> str:
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _scaled(x: float, scale: float) -> str:
    return _num(round(x / scale, 3))


def _pick_scale(x: float) -> tuple[float, str]:
    for scale, suffix in _SCALES:
        if abs(x) >= scale:
            return scale, suffix
    return 1.0, ""


@functools.lru_cache(maxsize=1 << 16, typed=True)  # a pure function of its arguments, asked again and again
def format_value(low: float | None, high: float | None, unit: str | None, bound: str | None = "exact") -> str:
    """'$115–135 B', '≥ 20 %', '~8,000 employees', '16 weeks'; '' for qualitative claims."""
    if low is None:
        return ""
    high = low if high is None else high
    sign = BOUND_SIGN.get(bound or "exact", "")
    if unit == "USD":
        scale, suffix = _pick_scale(max(abs(low), abs(high)))
        lo_scale, _ = _pick_scale(low)
        if low != high and lo_scale != scale and low != 0:
            a = f"${_scaled(low, lo_scale)} {_pick_scale(low)[1]}".rstrip()
            b = f"${_scaled(high, scale)} {suffix}".rstrip()
            return f"{sign}{a}–{b}"
        body = _scaled(low, scale) if low == high else f"{_scaled(low, scale)}–{_scaled(high, scale)}"
        return f"{sign}${body} {suffix}".rstrip()
    body = _num(low) if low == high else f"{_num(low)}–{_num(high)}"
    if unit in _UNIT_WORDS:
        return f"{sign}{body} {_UNIT_WORDS[unit]}"
    return f"{sign}{body} {unit}".rstrip() if unit else f"{sign}{body}"


def source_label(publisher: str | None, title: str | None) -> str:
    """A source named in a few cells: its publisher, else its title; a title the corpus put
    in brackets for an untitled page ("[untitled analysis of Meta's AI spending]") loses the
    brackets and the word that every such title begins with, so what tells it apart shows."""
    if publisher:
        return publisher
    title = title or ""
    inner = re.fullmatch(r"\[untitled (.+)\]", title.strip())
    return inner.group(1) if inner else title


def period_text(period: str | None, presumed: str | None = None, long: bool = False) -> str:
    """A figure's period as every view words it: as stated; else the year presumed from the
    article's date, said to be presumed; else ''."""
    if period:
        return period
    if presumed:
        return f"{presumed}, presumed from the article's date" if long else f"{presumed} (presumed)"
    return ""


def parse_number(text: str) -> float | None:
    """'80b' -> 8e10, '10k' -> 1e4, '2.5m' -> 2.5e6, '20' -> 20. None if not a number."""
    m = re.fullmatch(r"\s*(-?\d+(?:[.,]\d+)*)\s*([kmbt]?)\s*", text.lower().replace("_", ""))
    if not m:
        return None
    digits = m[1].replace(",", "")
    try:
        x = float(digits)
    except ValueError:
        return None
    return x * {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[m[2]]


# --- text from the corpus, made safe to put on a terminal --------------------


# Bidirectional overrides and isolates can reorder what is shown; zero-width
# characters hide text; C0/C1 controls drive the terminal. All are shown as
# visible escapes instead.
def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ␛, ␍, ␊ ...
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


# Every character of Unicode's control (Cc), format (Cf), line and paragraph separator
# (Zl, Zp), surrogate (Cs) and private-use (Co) categories, and U+180E: controls, bidi
# marks and isolates (U+061C, U+200E, U+202E, U+2066...), zero-width characters (U+200B,
# U+2060...), the soft hyphen, the BOM, tag characters. Generated from unicodedata
# (Unicode 14.0.0) and written out, so that importing costs nothing.
_UNSAFE_RANGES = (
    "\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\uf8ff"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\U000f0000-\U000ffffd\U00100000-\U0010fffd"
)


_UNSAFE = re.compile("[" + "".join(_UNSAFE_RANGES) + "]")


def safe_text(text: str | None, *, keep_newlines: bool = False) -> str:
    """Corpus text with every control, escape or invisible character made visible.

    The result is plain text; callers still render it without markup
    (Rich Text / Textual Content, never a markup string).
    """
    if not text:
        return ""
    if text.isprintable():  # every unsafe character is unprintable to Python (tests hold _UNSAFE to it)
        return text
    if keep_newlines:
        return "\n".join(_UNSAFE.sub(lambda m: _escape_char(m[0]), part) for part in text.split("\n"))
    return _UNSAFE.sub(lambda m: _escape_char(m[0]), text)


def like_escape(text: str) -> str:
    """Text as a literal inside a LIKE pattern written with ESCAPE '\\' (its % and _ kept as
    themselves): the one place this is done, for the filter language and the queries."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def one_line(text: str | None, width: int | None = None) -> str:
    """safe_text on a single line, optionally cut to width with an ellipsis."""
    out = safe_text(" ".join((text or "").split()))
    if width is not None and len(out) > width:
        out = out[: max(width - 1, 0)] + "…"
    return out
