# Long because one check per kind of field and the contract's four record shapes, read the same
# way; splitting them would separate each check from its use.
"""Field validation: a parsed mapping checked against the contract's fields, into typed
records (Entity, Topic, Source, Claim), every problem kept with its file, line and field,
with advice on what to write instead where there is any.

Over ~400 lines on purpose: one check per kind of field, and the contract's four
record shapes, read the same way; splitting them would separate each check from its use.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import (
    BOUNDS,
    ENTITY_KINDS,
    FLAGS,
    POSITIONS,
    SOURCE_KINDS,
    STATUSES,
    Claim,
    Entity,
    Problem,
    Proposition,
    Source,
    Topic,
)
from .model import with_hint as with_hint  # re-exported: the CLI prints problems with it
from .yamlread import MAX_INT_CHARS, BigNumber, LineMap, _kind, _show

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MAX_TEXT = 20_000  # characters in any one text field; a quote is "a sentence or less"
MAX_ABS_VALUE = 1e16  # ten quadrillion: far above any figure a news article prints


# --- field checks ------------------------------------------------------------


def _field(key: str) -> str:
    """A key as a message names it (a key can be anything a file contains)."""
    return _show(key)[1:-1] if isinstance(key, str) else str(key)


Check = Callable[[Any], tuple[Any, str | None]]


def _text(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, f"expected text, got {_kind(value)}"
    value = unicodedata.normalize("NFC", str(value).strip())  # "Café" one way however typed
    if not value:
        return None, "is empty"
    if "\0" in value:
        return None, "contains a NUL character (\\0); remove it"
    if len(value) > MAX_TEXT:
        return None, f"is {len(value):,} characters long; the limit is {MAX_TEXT:,}"
    return value, None


def _slug(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected an id (lowercase letters, digits, dashes), got {_kind(value)}"
    if not SLUG.match(value):
        return None, f"{_show(value)} is not a valid id (lowercase letters, digits, single dashes)"
    return value, None


def _entity_ref(value: Any) -> tuple[Any, str | None]:
    """An entity id; a short text that is not one ("Meta") is kept for the cross-check to say
    which id it means."""
    if isinstance(value, str) and not SLUG.match(value) and 0 < len(value.strip()) <= 100:
        return value.strip(), None
    return _slug(value)


def _int(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, BigNumber):
        return None, f"a {value.chars:,}-digit number is implausibly large"
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"expected a whole number, got {_kind(value)}"
    if not -MAX_ORDER <= value <= MAX_ORDER:
        return None, f"{value:,} is too large (at most {MAX_ORDER:,} either way)"
    return value, None


MAX_ORDER = 10**9  # a topic's order: far beyond any list, well inside SQLite's 64-bit integers


def _text_list(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list):
        return None, f"expected a list, got {_kind(value)}"
    out = []
    for item in value:
        text, err = _text(item)
        if err:
            return None, f"item {_show(item)}: {err}"
        out.append(text)
    return out, None


def _date(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, f"expected a date YYYY-MM-DD, YYYY-MM or YYYY, got {_kind(value)}"
    m = DATE.match(value)
    if not m:
        return None, f"{_show(value)} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        date(y, mo, d)
    except ValueError as exc:
        return None, f"{_show(value)} is not a real date ({exc})"
    return value, None


def _one_of(choices: tuple[str, ...], phrases: dict[str, str] | None = None) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if value not in choices:
            hint = _did_you_mean(value, choices) if isinstance(value, str) else ""
            said = phrases.get(" ".join(value.lower().split())) if phrases and isinstance(value, str) else None
            advice = f"{HINT}{_show(value)} is written {said}" if said and not hint else ""
            return None, f"unknown value {_show(value)}; expected one of {', '.join(choices)}{hint}{advice}"
        return value, None

    return check


# How articles word a bound or a status, and the value the corpus writes for it.
BOUND_PHRASES = {
    **dict.fromkeys(
        (
            "up to",
            "as many as",
            "as much as",
            "at most",
            "no more than",
            "maximum",
            "max",
            "under",
            "below",
            "less than",
            "fewer than",
            "<=",
            "≤",
            "<",
            "atmost",
            "at_most",
            "upto",
        ),
        "at-most",
    ),
    **dict.fromkeys(
        (
            "over",
            "more than",
            "at least",
            "or more",
            "minimum",
            "min",
            "above",
            "upwards of",
            "+",
            ">=",
            "≥",
            ">",
            "atleast",
            "at_least",
            "plus",
            "exceeds",
            "in excess of",
        ),
        "at-least",
    ),
    **dict.fromkeys(
        ("roughly", "approximately", "around", "approx.", "~", "≈", "circa", "ca.", "nearly", "almost", "some", "about"), "approx"
    ),
    **dict.fromkeys(("exactly", "=", "precisely"), "exact"),
}
STATUS_PHRASES = {
    **dict.fromkeys(("could", "may", "might", "possibly", "rumoured", "rumored", "considering"), "possible"),
    **dict.fromkeys(("plans", "plan", "will", "intends", "announced plan"), "planned"),
    **dict.fromkeys(("expects", "expected", "forecast", "forecasted", "projection", "guidance"), "projected"),
    **dict.fromkeys(("reportedly", "reports say", "report", "according to reports"), "reported"),
    **dict.fromkeys(("estimate", "estimates"), "estimated"),
    **dict.fromkeys(("official", "announced", "confirmed by the company"), "confirmed"),
}


def _bool(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, bool):
        return None, f"expected true or false, got {_show(value) if isinstance(value, str) else _kind(value)}"
    return value, None


_EXPONENT = re.compile(r"^([-+]?)([0-9][0-9_]*)[eE]([-+]?)([0-9]+)$")
_NOT_A_NUMBER_IN_YAML = re.compile(r"^[-+]?(?:0[0-9_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$")
_HEX_OR_BINARY = re.compile(r"^[-+]?0(?:[xX][0-9a-fA-F_]+|[bB][01_]+)$")


def _number(value: Any) -> tuple[float | None, str | None]:
    if isinstance(value, BigNumber):
        return (
            None,
            f"a {value.chars:,}-digit number is implausibly large (limit {MAX_ABS_VALUE:g}); write plain units, e.g. dollars",
        )
    if isinstance(value, str):
        m = _EXPONENT.match(value.strip())
        if m:  # YAML 1.1 reads 1e9 as text: a float needs its decimal point
            return None, (
                f"expected a number, got text {_show(value)} (YAML reads an exponent without a "
                f"decimal point as text: write {m[1]}{m[2]}.0e{m[3] or '+'}{m[4]})"
            )
        if _HEX_OR_BINARY.match(value.strip()):
            digits = len(value.strip().lstrip("+-")[2:].replace("_", ""))
            if digits > MAX_INT_CHARS:
                return _number(BigNumber(digits))
            return (
                None,
                f"expected a number, got text {_show(value)} (hexadecimal and binary are not read as figures: write plain digits)",
            )
        if _NOT_A_NUMBER_IN_YAML.match(value.strip()):
            return None, f"expected a number, got text {_show(value)} (write plain digits, without a leading zero or colons)"
        meant = _typed_value(value)
        if meant:
            return None, f"expected a number, got text{HINT}{_show(value)} is text: {meant}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, f"expected a number, got {_kind(value)}"
    if isinstance(value, float) and math.isnan(value):
        return None, f"{value} is not a finite number"
    if isinstance(value, float) and math.isinf(value):
        return None, f"{value} is not a finite number (.inf, or a figure too large to hold)"
    if abs(value) > MAX_ABS_VALUE:
        shown = f"{value:,}" if isinstance(value, int) and abs(value) < 10**21 else f"{value:g}"
        return None, f"{shown} is implausibly large (limit {MAX_ABS_VALUE:g}); write plain units, e.g. dollars"
    return float(value), None


def _typed_value(value: str) -> str | None:
    """What to write instead of a figure typed as text ("125B", "$125 billion", "1.25e11"), or None."""
    if len(value) > 60:
        return None
    from .numbers import read_typed_value

    read = read_typed_value(value)
    if read is None:
        return None
    number, unit = read
    shown = f"[{number[0]}, {number[1]}]" if isinstance(number, list) else f"{number}"
    why = " (YAML reads an exponent without a sign as text)" if re.search(r"\d[eE]\d", value) else ""
    with_unit = f" with unit: {unit}" if unit else ""
    return f"write {shown}{with_unit}{why}"


def _did_you_mean(word: object, choices: Iterable[str]) -> str:
    if not isinstance(word, str) or len(word) > 100:
        return ""  # not a typo of a known word
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


HINT = "\x1f"  # in a check's message: what follows is advice (what to write instead)


@dataclass(slots=True)
class HintedProblem(Problem):
    """A problem with advice on what to write instead. str() is the problem as always;
    `with_hint` (what the CLI prints) adds the advice on the same line."""

    hint: str = ""


class _Record:
    """Checks one mapping against a field spec and collects problems."""

    def __init__(self, data: dict[str, Any], file: str, what: str, problems: list[Problem]):
        self.data, self.file, self.what, self.problems = data, file, what, problems

    def line(self, key: str | None = None) -> int:
        lines: dict[str, int] = getattr(self.data, "lines", {})  # a LineMap's; a plain dict has none
        if key is not None and key in lines:
            return lines[key]
        line: int = getattr(self.data, "line", 0)
        return line

    def problem(self, key: str, message: str) -> None:
        message, _, hint = message.partition(HINT)
        if hint:
            self.problems.append(HintedProblem(self.file, self.line(key), _field(key), message, hint))
        else:
            self.problems.append(Problem(self.file, self.line(key), _field(key), message))

    def get(self, key: str, check: Check, required: bool = False) -> Any:
        if key not in self.data or self.data[key] is None:
            if required and key in self.data:  # written, but left empty: point at it
                self.problem(key, f"is empty (required in {self.what})")
            elif required:
                self.problems.append(Problem(self.file, self.line(), key, f"missing (required in {self.what})"))
            return None
        value, err = check(self.data[key])
        if err:
            self.problem(key, err)
        return value

    def unknown(self, known: tuple[str, ...], also: tuple[str, ...] = ()) -> None:
        # `also`: fields accepted and suggested for typos, but not listed (the list stays the contract's)
        for key in self.data:
            if key not in known and key not in also:
                hint = _did_you_mean(key, known + also)
                if hint:
                    self.problem(key, f"unknown field in {self.what}{hint}; probably a typo")
                else:
                    self.problem(key, f"unknown field in {self.what}; expected one of {', '.join(known)}")


def _mapping_list(data: Any, key: str, file: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """The list under `key` in a top-level mapping, each item checked to be a mapping."""
    if data is None:
        problems.append(Problem(file, 0, "", f"file is empty; expected a mapping with '{key}:'"))
        return []
    if isinstance(data, list):
        data = LineMap({key: data})  # a bare list is accepted for entities/topics
        data.lines = {}
    if not isinstance(data, dict):
        problems.append(Problem(file, 1, "", f"expected a mapping with '{key}:', got {_kind(data)}"))
        return []
    items = data.get(key)
    if not isinstance(items, list):
        problems.append(Problem(file, getattr(data, "lines", {}).get(key, 1), key, f"expected a list, got {_kind(items)}"))
        return []
    out: list[dict[str, Any]] = []
    item_lines = getattr(items, "lines", None)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            line = item_lines[i] if item_lines else getattr(data, "lines", {}).get(key, 0)
            problems.append(Problem(file, line, key, f"item {i + 1}: expected a mapping, got {_kind(item)}"))
        else:
            out.append(item)
    return out


ENTITY_FIELDS = ("id", "name", "kind", "aliases", "members", "parent", "ticker")
TOPIC_FIELDS = ("id", "label", "order", "description")
SOURCE_FIELDS = ("id", "title", "publisher", "author", "published", "url", "kind", "document", "flags", "notes", "claims")
SOURCE_EXTENSION_FIELDS = ("as_of",)  # pivot's own: the date a dated lead gives, where no publication date is printed
PROPOSITION_FIELDS = ("id", "text", "entity", "topic", "note")
CLAIM_FIELDS = (
    "id",
    "entity",
    "topic",
    "summary",
    "quote",
    "metric",
    "value",
    "unit",
    "bound",
    "period",
    "status",
    "speaker",
    "note",
)
# pivot's own: `draft: true` marks a claim `pivot add` drafted and no one reviewed; `stance` the
# positions a claim takes on propositions (propositions.yaml)
# positions a claim takes on propositions (propositions.yaml); `table` the table of the article's
# own the claim is a cell of: {name: the table's title, row: the row's heading}; `scope` the
# article's own words that qualify a figure ("of its US workforce"), part of the quote
CLAIM_EXTENSION_FIELDS = ("draft", "stance", "table", "scope")


def _entities(data: Any, file: str, problems: list[Problem]) -> list[tuple[Entity, _Record]]:
    out = []
    for m in _mapping_list(data, "entities", file, problems):
        r = _Record(m, file, "an entity", problems)
        r.unknown(ENTITY_FIELDS)
        e = Entity(
            id=r.get("id", _slug, True),
            name=r.get("name", _text, True),
            kind=r.get("kind", _one_of(ENTITY_KINDS), True),
            aliases=r.get("aliases", _text_list) or [],
            members=r.get("members", _text_list) or [],
            parent=r.get("parent", _slug),
            ticker=r.get("ticker", _text),
        )
        out.append((e, r))
    return out


def _stance(value: Any) -> tuple[Any, str | None]:
    """{proposition id: for | against}"""
    if not isinstance(value, dict):
        return (
            None,
            f"expected a mapping of proposition id to for or against (stance: {{meta-cuts-fund-ai: for}}), got {_kind(value)}",
        )
    out: dict[str, str] = {}
    for prop, pos in value.items():
        _, err = _slug(prop)
        if err:
            return None, f"proposition {err}"
        if pos not in POSITIONS:
            return None, f"position {_show(pos)} on {_show(prop)}: expected for or against{_did_you_mean(pos, POSITIONS)}"
        out[prop] = pos
    return out, None


def _table(value: Any) -> tuple[Any, str | None]:
    """{name: the table's title as printed, row: the row's heading as printed}"""
    if not isinstance(value, dict) or set(value) != {"name", "row"}:
        return (
            None,
            f"expected {{name: the table's title, row: the row's heading}}, got {_kind(value) if not isinstance(value, dict) else sorted(value)}",
        )
    name, err = _text(value["name"])
    row, err2 = _text(value["row"])
    if err or err2:
        return None, f"{'name' if err else 'row'} {err or err2}"
    return (name, row), None


def _propositions(data: Any, file: str, problems: list[Problem]) -> list[tuple[Proposition, _Record]]:
    out = []
    for m in _mapping_list(data, "propositions", file, problems):
        r = _Record(m, file, "a proposition", problems)
        r.unknown(PROPOSITION_FIELDS)
        p = Proposition(
            id=r.get("id", _slug, True),
            text=r.get("text", _text, True),
            entity=r.get("entity", _slug),
            topic=r.get("topic", _slug),
            note=r.get("note", _text),
        )
        out.append((p, r))
    return out


def _topics(data: Any, file: str, problems: list[Problem]) -> list[tuple[Topic, _Record]]:
    out = []
    for m in _mapping_list(data, "topics", file, problems):
        r = _Record(m, file, "a topic", problems)
        r.unknown(TOPIC_FIELDS)
        t = Topic(
            id=r.get("id", _slug, True),
            label=r.get("label", _text, True),
            order=r.get("order", _int, True),
            description=r.get("description", _text),
        )
        out.append((t, r))
    return out


def _words(text: str) -> str:
    """Text compared by its words: case and runs of whitespace aside."""
    return " ".join(text.casefold().split())


def _claim(m: dict[str, Any], source_id: str, file: str, problems: list[Problem]) -> tuple[Claim, _Record]:
    r = _Record(m, file, "a claim", problems)
    r.unknown(CLAIM_FIELDS, also=CLAIM_EXTENSION_FIELDS)
    period = m.get("period")
    if isinstance(period, int) and not isinstance(period, bool):
        m["period"] = str(period)  # period: 2026 written without quotes
    c = Claim(
        id=r.get("id", _slug, True),
        source=source_id,
        entity=r.get("entity", _entity_ref, True),
        topic=r.get("topic", _slug, True),
        summary=r.get("summary", _text, True),
        quote=r.get("quote", _text, True),
        status=r.get("status", _one_of(STATUSES, STATUS_PHRASES), True),
        metric=r.get("metric", _slug),
        unit=r.get("unit", _text),
        bound=r.get("bound", _one_of(BOUNDS, BOUND_PHRASES)) or "exact",
        period=r.get("period", _text),
        speaker=r.get("speaker", _text),
        note=r.get("note", _text),
        draft=bool(r.get("draft", _bool)),
        stance=r.get("stance", _stance) or {},
        table=r.get("table", _table),
        scope=r.get("scope", _text),
        file=file,
        line=r.line(),
        lines=dict(getattr(m, "lines", {})),
    )
    if c.scope is not None and "," in c.scope:
        r.problem("scope", 'a scope is a short phrase with no comma ("of its US workforce")')
    elif c.scope is not None and c.quote is not None and _words(c.scope) not in _words(c.quote):
        r.problem("scope", f"{c.scope!r} is not in the quote: a figure's scope is the article's own words")
    if c.scope is not None and m.get("value") is None:
        r.problem("scope", "only a figure has a scope (this claim has no value)")
    value = m.get("value")
    if value is not None:
        if isinstance(value, list):
            if len(value) != 2:
                r.problem("value", f"a range is [low, high]; got {len(value)} items")
            else:
                low, e1 = _number(value[0])
                high, e2 = _number(value[1])
                err = e1 or e2
                if err:
                    r.problem("value", err)
                elif low is not None and high is not None:  # always, when neither has an error
                    if low > high:
                        r.problem("value", f"low {value[0]:,} is greater than high {value[1]:,}")
                    else:
                        c.value_low, c.value_high = low, high
        else:
            num, err = _number(value)
            if err:
                r.problem("value", err)
            else:
                c.value_low = c.value_high = num
        if c.value_low is not None and c.value_low < 0 and (c.unit or "").lower() in COUNT_UNITS:
            r.problem("value", f"a count of {c.unit} cannot be negative (a cut is written as a positive number)")
        if c.unit is None and "unit" not in m:
            r.problem("value", "value without unit (add unit: USD, employees, percent, ...)")
        if c.metric is None and "metric" not in m:
            r.problem("value", "value without metric (add metric: a slug such as employees-cut)")
    else:
        if "unit" in m:
            r.problem("unit", "unit without value")
        if "metric" in m:
            r.problem("metric", "metric without value (qualitative claims have neither)")
        if "bound" in m:
            r.problem("bound", "bound without value")
    return c, r


COUNT_UNITS = ("employees", "people", "jobs", "roles", "positions", "workers", "weeks", "months", "years", "days")


def _source(data: Any, file: str, stem: str, problems: list[Problem]) -> Source | None:
    if data is None:
        problems.append(Problem(file, 0, "", "file is empty; expected a source mapping with id, title, kind and claims"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(file, 1, "", f"expected a source mapping, got {_kind(data)}"))
        return None
    r = _Record(data, file, "a source", problems)
    r.unknown(SOURCE_FIELDS, also=SOURCE_EXTENSION_FIELDS)
    s = Source(
        id=r.get("id", _slug, True),
        title=r.get("title", _text, True),
        kind=r.get("kind", _one_of(SOURCE_KINDS), True),
        publisher=r.get("publisher", _text),
        author=r.get("author", _text),
        published=r.get("published", _date),
        url=r.get("url", _text),
        document=r.get("document", _text),
        notes=r.get("notes", _text),
        file=file,
        line=r.line(),
        as_of=r.get("as_of", _date),
    )
    flags = r.get("flags", _text_list) or []
    for flag in flags:
        if flag not in FLAGS:
            r.problem("flags", f"unknown flag {_show(flag)}; expected one of {', '.join(FLAGS)}{_did_you_mean(flag, FLAGS)}")
    s.flags = [f for f in flags if f in FLAGS]
    if s.id and s.id != stem:
        r.problem(
            "id", f"source id {_show(s.id)} does not match the file name {_show(stem + '.yaml')} (name the file after the id)"
        )
    for m in _mapping_list(data, "claims", file, problems) if "claims" in data else []:
        claim, _ = _claim(m, s.id, file, problems)
        s.claims.append(claim)
    if "claims" not in data:
        r.problem("claims", "missing (required in a source)")
    return s
