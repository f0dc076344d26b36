"""Read the YAML corpus into typed records, reporting every problem at once.

The loader is YAML's safe loader (libyaml's C parser where available) with two
changes: every mapping remembers the line of each key, so that a message can
say FILE:LINE: field, and a key written twice in one mapping is an error
rather than a silent overwrite. Dates are left as strings so that they are
validated here (a YAML timestamp such as 2026-02-30 would otherwise crash the
parser instead of producing a message).

Hostile input is refused with a message rather than a crash or a hang: a
document nesting deeper than MAX_DEPTH levels, or whose aliases would expand
to more than ALIAS_BUDGET values (a "billion laughs"), is not built at all;
an integer too long to be a figure is never converted; YAML 1.1's base-60
(`1:30`) and leading-zero octal (`010`) numbers stay text, so they are
reported instead of silently read as 90 and 8; and values quoted in messages
are cut short and shown with their control characters escaped.
"""

from __future__ import annotations

import difflib
import errno
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from .files import corpus_digest as _corpus_digest
from .fmt import safe_text
from .files import corpus_paths, source_paths
from .model import (
    BOUNDS,
    ENTITY_KINDS,
    FLAGS,
    SOURCE_KINDS,
    STATUSES,
    Claim,
    Corpus,
    CorpusError,
    Entity,
    Problem,
    Source,
    Topic,
)

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_C_LOADER = _Base is not yaml.SafeLoader
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TEXT = 20_000  # characters in any one text field; a quote is "a sentence or less"
MAX_ABS_VALUE = 1e16  # ten quadrillion: far above any figure a news article prints
MAX_DEPTH = 100  # nested collections; the corpus needs four (source, claims, claim, range)
ALIAS_BUDGET = 100_000  # values aliases may add to a document (beyond the document's own)
MAX_INT_CHARS = 70  # an integer literal longer than this is far beyond MAX_ABS_VALUE in any base
SHOWN_CHARS = 60  # of a value quoted in a message


class LineMap(dict):
    """A mapping that knows the line of each of its keys (1-based)."""

    line: int = 0
    lines: dict[str, int]


class LineList(list):
    """A list that knows the line of each of its items (1-based)."""

    lines: list[int]


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):  # type: ignore[misc,valid-type]
    def construct_object(self, node, deep=False):
        # An explicit tag on a value it cannot take (`!!int abc`, `!!timestamp 2026-02-30`,
        # `!!bool maybe`) makes PyYAML's constructors raise plain Python errors; report
        # them like any other YAML problem, at the value's line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, IndexError) as exc:
            tag = node.tag.rsplit(":", 1)[-1] if node.tag.startswith("tag:yaml.org,2002:") else node.tag
            shown = _show(node.value) if isinstance(node.value, str) else _kind(node.value)
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown} is not a valid !!{tag} value", node.start_mark
            ) from exc


# No implicit timestamps: dates stay strings and are checked by the validator.
# Integers and floats as YAML 1.1 reads them, less base 60 (`1:30` is not 90) and
# leading-zero octal (`010` is not 8): those stay text, and a number field says so.
# Nor hexadecimal or binary (`0x10` is not 16, `0b11` not 3): a figure is written in digits.
_INT = re.compile(r"""^(?:[-+]?(?:0|[1-9][0-9_]*))$""", re.X)
_FLOAT = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""", re.X)
_NUMBER_TAGS = {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, _NUMBER_TAGS.get(tag, rx))
        for tag, rx in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


class BigNumber:
    """An integer literal too long to be any figure: kept as its length, never converted
    (Python refuses to convert more than 4,300 digits, and a float cannot hold it)."""

    __slots__ = ("chars",)

    def __init__(self, chars: int):
        self.chars = chars

    def __str__(self) -> str:
        return f"<a {self.chars:,}-digit number>"


def _construct_int(loader, node) -> Any:
    digits = node.value.replace("_", "").lstrip("+-")
    if digits[:2] in ("0x", "0b"):
        digits = digits[2:]
    if len(digits) > MAX_INT_CHARS:
        return BigNumber(len(digits))
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    data = LineMap()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    # A merge key (`<<: *base`) puts the base's entries first; the mapping's own keys then
    # override them, as YAML says. Only a key written twice among the own keys is a duplicate.
    own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    first_own = len(node.value) - own
    own_lines: dict[str, int] = {}
    for i, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise DuplicateKey(
                "while constructing a mapping", node.start_mark,
                f"a key must be text, not {_kind(key)}", key_node.start_mark,
            )
        if not isinstance(key, str):
            key = str(key)
        if i >= first_own:
            if key in own_lines:
                raise DuplicateKey(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {_show(key)} (first on line {own_lines[key]})",
                    key_node.start_mark,
                )
            own_lines[key] = key_node.start_mark.line + 1
        data.lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _Loader, node: yaml.SequenceNode):
    data = LineList()
    data.lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


# --- fast path ----------------------------------------------------------------
# The safe loader builds a node tree and resolves every plain scalar with regular
# expressions; at a million claims that is most of the build. The fast path reads
# libyaml's events directly into the same LineMap/list/scalar values, resolving
# each distinct plain scalar once (keys and ids repeat). Anything it does not
# handle exactly like the safe loader (anchors, aliases, explicit tags, merge
# keys, complex or duplicate keys, syntax errors) sends the text to the full
# loader, which produces the value or the message.

class _Fallback(Exception):
    pass


_PLAIN_CACHE: dict[str, Any] = {}
_SAFE = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str": lambda node: node.value,
    "tag:yaml.org,2002:int": lambda node: _construct_int(_SAFE, node),
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:null": lambda node: None,
}


def _plain(value: str) -> Any:
    try:
        return _PLAIN_CACHE[value]
    except KeyError:
        pass
    tag = _Loader.resolve(_Loader, yaml.ScalarNode, value, (True, False))
    construct = _PLAIN_TAGS.get(tag)
    if construct is None:
        raise _Fallback(tag)
    out = construct(yaml.ScalarNode(tag, value))
    if len(_PLAIN_CACHE) < 200_000:
        _PLAIN_CACHE[value] = out
    return out


def _fast_load(text: str) -> Any:
    from yaml import events as ev

    parser = yaml._yaml.CParser(text)  # type: ignore[attr-defined]
    stack: list[Any] = []
    keys: list[Any] = []
    root: Any = None
    documents = 0

    def add(value: Any, line: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        top = stack[-1]
        if type(top) is LineList:
            top.append(value)
            top.lines.append(line)
        elif keys[-1] is _NO_KEY:
            if type(value) is not str:
                if isinstance(value, (dict, list)):
                    raise _Fallback("complex key")
                value = str(value)
            if value in top.lines or value == "<<":
                raise _Fallback("duplicate or merge key")
            keys[-1] = value
            top.lines[value] = line
        else:
            top[keys[-1]] = value
            keys[-1] = _NO_KEY

    while True:
        e = parser.get_event()
        t = type(e)
        if t is ev.ScalarEvent:
            if e.anchor is not None:
                raise _Fallback("anchor")
            if e.implicit[0]:
                value = _plain(e.value)
            elif e.implicit[1]:
                value = e.value
            else:
                raise _Fallback("tag")
            add(value, e.start_mark.line + 1)
        elif t is ev.MappingStartEvent:
            if e.anchor is not None or not e.implicit:
                raise _Fallback("anchor or tag")
            m = LineMap()
            m.line = e.start_mark.line + 1
            m.lines = {}
            add(m, m.line)
            stack.append(m)
            keys.append(_NO_KEY)
            if len(stack) > MAX_DEPTH:
                raise _Fallback("deep")  # the full path's check gives the message
        elif t is ev.SequenceStartEvent:
            if e.anchor is not None or not e.implicit:
                raise _Fallback("anchor or tag")
            seq = LineList()
            seq.lines = []
            add(seq, e.start_mark.line + 1)
            stack.append(seq)
            keys.append(_NO_KEY)
            if len(stack) > MAX_DEPTH:
                raise _Fallback("deep")
        elif t is ev.MappingEndEvent or t is ev.SequenceEndEvent:
            stack.pop()
            keys.pop()
        elif t is ev.AliasEvent:
            raise _Fallback("alias")
        elif t is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Fallback("several documents")
        elif t is ev.StreamEndEvent:
            return root


_NO_KEY = object()
_FAST = hasattr(yaml, "_yaml") and hasattr(getattr(yaml, "_yaml", None), "CParser")


def _bounds_problem(text: str) -> tuple[int, str] | None:
    """(line, message) when the document nests too deeply or its aliases expand too far.

    Walks the parser's events only (nothing is built), so that neither a deep
    nesting (the parser slows down quadratically with depth) nor an alias bomb
    (each alias counts as the values it stands for) costs more than the events
    up to the point where the limit is passed. None when the text is within
    bounds, or has a syntax error (the full loader reports that)."""
    from yaml import events as ev

    if _FAST:
        parser = yaml._yaml.CParser(text)  # type: ignore[attr-defined]
        next_event = parser.get_event
    else:
        stream = yaml.parse(text, Loader=_Loader)
        next_event = lambda: next(stream, None)  # noqa: E731
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    stack: list[list] = []  # [anchor, values] of each open collection
    own = aliased = 0
    try:
        while True:
            e = next_event()
            if e is None or isinstance(e, ev.StreamEndEvent):
                return None
            line = e.start_mark.line + 1 if e.start_mark else 0
            if isinstance(e, (ev.SequenceStartEvent, ev.MappingStartEvent)):
                stack.append([e.anchor, 1])
                own += 1
                if len(stack) > MAX_DEPTH:
                    return line, f"nests deeper than {MAX_DEPTH} levels"
            elif isinstance(e, (ev.SequenceEndEvent, ev.MappingEndEvent)):
                anchor, n = stack.pop()
                if anchor is not None:
                    sizes[anchor] = n
                if stack:
                    stack[-1][1] += n
            elif isinstance(e, (ev.ScalarEvent, ev.AliasEvent)):
                if isinstance(e, ev.ScalarEvent):
                    n = 1
                    own += 1
                    if e.anchor is not None:
                        sizes[e.anchor] = 1
                else:
                    n = sizes.get(e.anchor, 1)
                    aliased += n
                    if aliased > max(ALIAS_BUDGET, own):
                        return line, (
                            f"aliases expand to more than {max(ALIAS_BUDGET, own):,} values "
                            "(an alias bomb?); write the values out"
                        )
                if stack:
                    stack[-1][1] += n
    except yaml.YAMLError:
        # Some libyaml builds have a nesting limit of their own, met by the scanner (which
        # reads ahead through flow brackets) before these events reach MAX_DEPTH: count the
        # brackets ourselves so that the message is ours whatever the library's version.
        return _flow_depth_problem(text)


def _flow_depth_problem(text: str) -> tuple[int, str] | None:
    """(line, message) where flow brackets ([ {) nest deeper than MAX_DEPTH, else None.

    A small scan, used only when the parser has already failed: quoted scalars and
    comments are skipped; a bracket inside a block plain scalar may be over-counted,
    which can only change the message given for a file the parser rejects anyway."""
    depth, line, i, n = 0, 1, 0, len(text)
    at_token_start = True
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line, f"nests deeper than {MAX_DEPTH} levels"
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "'\"" and at_token_start:
            j = i + 1
            while j < n:
                if text[j] == "\\" and ch == '"':
                    j += 2
                    continue
                if text[j] == ch:
                    if ch == "'" and j + 1 < n and text[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            line += text.count("\n", i, j)
            i = j + 1
            at_token_start = False
            continue
        at_token_start = ch in " \t\n[{,:-?"
        i += 1
    return None


def read_yaml(path: Path, label: str) -> tuple[Any, list[Problem]]:
    """Parse one file. Returns (data, problems); data is None when it cannot be read
    (also a FIFO or a device node named *.yaml: refused unread, never waited on)."""
    from .files import open_regular

    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, [Problem(label, 0, "", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")]
            raw = fh.read()
    except OSError as exc:
        return None, [Problem(label, 0, "", f"cannot read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")  # a BOM is harmless; strip it
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(label, line, "", f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})")]
    if _FAST:
        try:
            return _fast_load(text), []
        except (_Fallback, yaml.YAMLError, RecursionError):
            pass  # the full loader below gives the value or the exact message
    bounds = _bounds_problem(text)
    if bounds is not None:
        return None, [Problem(label, bounds[0], "", f"YAML: {bounds[1]}")]
    try:
        return yaml.load(text, Loader=_Loader), []  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        ctx = exc.context_mark
        if not isinstance(exc, DuplicateKey) and exc.problem and exc.context and ctx is not None and mark is not None and ctx.line != mark.line:
            what = f"{what} ({exc.context} started on line {ctx.line + 1})"
        if "could not determine a constructor" in str(exc):
            what = f"{what} (tags that build objects are not allowed)"
        if mark is not None and not isinstance(exc, DuplicateKey) and _tab_indented(text, mark.line):
            what = TAB_MESSAGE  # our words, whatever the library says about the tab
        return None, [Problem(label, line, "", f"YAML: {safe_text(what)}")]
    except yaml.reader.ReaderError as exc:
        # a control character pasted into the file: say where, on one line
        line = 0
        if isinstance(exc.position, int):  # libyaml counts bytes of UTF-8, the pure-Python reader characters
            before = text.encode("utf-8")[: exc.position] if _C_LOADER else text[: exc.position]
            line = before.count(b"\n" if _C_LOADER else "\n") + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return None, [Problem(label, line, "", f"YAML: unacceptable character #x{char:04x}: {exc.reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(label, 0, "", f"YAML: {safe_text(' '.join(str(exc).split()))}")]
    except RecursionError:
        return None, [Problem(label, 0, "", "YAML nests too deeply")]


TAB_MESSAGE = "a tab in the indentation (YAML indents with spaces only)"


def _tab_indented(text: str, line: int) -> bool:
    """Is there a tab in the leading whitespace of line `line` (0-based)?"""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return False
    end = text.find("\n", start)
    row = text[start : end if end >= 0 else len(text)]
    return "\t" in row[: len(row) - len(row.lstrip(" \t"))]


# --- field checks ------------------------------------------------------------

def _show(value: Any) -> str:
    """A value as a message quotes it: short, one line, control characters escaped."""
    if isinstance(value, str):
        cut = value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"
        return repr(cut)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return _kind(value)


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
    **dict.fromkeys(("up to", "as many as", "as much as", "at most", "no more than", "maximum", "max", "under",
                     "below", "less than", "fewer than", "<=", "≤", "<", "atmost", "at_most", "upto"), "at-most"),
    **dict.fromkeys(("over", "more than", "at least", "or more", "minimum", "min", "above", "upwards of", "+",
                     ">=", "≥", ">", "atleast", "at_least", "plus", "exceeds", "in excess of"), "at-least"),
    **dict.fromkeys(("roughly", "approximately", "around", "approx.", "~", "≈", "circa", "ca.", "nearly",
                     "almost", "some", "about"), "approx"),
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
        return None, f"a {value.chars:,}-digit number is implausibly large (limit {MAX_ABS_VALUE:g}); write plain units, e.g. dollars"
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
            return None, f"expected a number, got text {_show(value)} (hexadecimal and binary are not read as figures: write plain digits)"
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


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {
        dict: "a mapping", LineMap: "a mapping", list: "a list", LineList: "a list", str: "text", bool: "true/false",
        BigNumber: "a number",
    }.get(type(value), type(value).__name__)


def _did_you_mean(word: str, choices) -> str:
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


def with_hint(p: Problem) -> str:
    hint = getattr(p, "hint", "")
    return f"{p}; {hint}" if hint else str(p)


class _Record:
    """Checks one mapping against a field spec and collects problems."""

    def __init__(self, data: LineMap, file: str, what: str, problems: list[Problem]):
        self.data, self.file, self.what, self.problems = data, file, what, problems

    def line(self, key: str | None = None) -> int:
        if key is not None and key in getattr(self.data, "lines", {}):
            return self.data.lines[key]
        return getattr(self.data, "line", 0)

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


def _mapping_list(data: Any, key: str, file: str, problems: list[Problem]) -> list[LineMap]:
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
    out = []
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
CLAIM_FIELDS = ("id", "entity", "topic", "summary", "quote", "metric", "value", "unit", "bound", "period", "status", "speaker", "note")
CLAIM_EXTENSION_FIELDS = ("draft",)  # pivot's own: `draft: true` marks a claim `pivot add` drafted and no one reviewed


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


def _claim(m: LineMap, source_id: str, file: str, problems: list[Problem]) -> tuple[Claim, _Record]:
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
        file=file,
        line=r.line(),
        lines=dict(getattr(m, "lines", {})),
    )
    value = m.get("value")
    if value is not None:
        if isinstance(value, list):
            if len(value) != 2:
                r.problem("value", f"a range is [low, high]; got {len(value)} items")
            else:
                low, e1 = _number(value[0])
                high, e2 = _number(value[1])
                if e1 or e2:
                    r.problem("value", e1 or e2)
                elif low > high:
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
    r.unknown(SOURCE_FIELDS)
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
    )
    flags = r.get("flags", _text_list) or []
    for flag in flags:
        if flag not in FLAGS:
            r.problem("flags", f"unknown flag {_show(flag)}; expected one of {', '.join(FLAGS)}{_did_you_mean(flag, FLAGS)}")
    s.flags = [f for f in flags if f in FLAGS]
    if s.id and s.id != stem:
        r.problem("id", f"source id {_show(s.id)} does not match the file name {_show(stem + '.yaml')} (name the file after the id)")
    for m in _mapping_list(data, "claims", file, problems) if "claims" in data else []:
        claim, _ = _claim(m, s.id, file, problems)
        s.claims.append(claim)
    if "claims" not in data:
        r.problem("claims", "missing (required in a source)")
    return s


def source_files(data_dir: Path) -> list[Path]:
    return source_paths(data_dir)


def corpus_files(data_dir: Path) -> list[Path]:
    return corpus_paths(data_dir)


def corpus_digest(data_dir: Path) -> str:
    """A hash of every corpus file's name and bytes: the store is rebuilt when it changes."""
    return _corpus_digest(data_dir)


def parse_source_file(path: Path, label: str) -> tuple[Source | None, list[Problem]]:
    """Read and validate one source file on its own (no cross-file checks)."""
    problems: list[Problem] = []
    data, ps = read_yaml(path, label)
    if ps:
        return None, ps
    return _source(data, label, path.stem, problems), problems


def _parse_many(jobs: list[tuple[Path, str]]) -> list[tuple[Source | None, list[Problem]]]:
    """parse_source_file over many files, on every core when there are enough files to pay for it."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [parse_source_file(p, label) for p, label in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # platforms without fork
        ctx = None
    chunk = max(16, len(jobs) // (workers * 16))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        out = list(pool.map(_parse_job, jobs, chunksize=chunk))
    except BaseException:
        # interrupted (SIGTERM, ctrl+c) or failed: stop the workers now rather than wait
        # for them to finish files nobody wants
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return out


def _die_with_parent(parent: int) -> None:
    """In each pool worker: end when the build that started it ends, however it ends
    (SIGKILL, SIGTERM, a closed terminal), instead of living on blocked on its pipe.
    Linux's PR_SET_PDEATHSIG; a parent already gone before it took effect is seen by
    the parent pid having changed."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        pass
    if os.getppid() != parent:
        os._exit(1)


def _parse_job(job: tuple[Path, str]) -> tuple[Source | None, list[Problem]]:
    return parse_source_file(*job)


PARALLEL_FROM = 400  # source files; below this a process pool costs more than it saves


def load_corpus(data_dir: Path | str) -> Corpus:
    """Load and validate the corpus under data_dir. Raises CorpusError listing every problem."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise CorpusError([Problem(safe_text(str(data_dir)), 0, "", "no such corpus directory")])

    def label(p: Path) -> str:
        # a file name is text from the corpus too: escape what would drive the terminal
        try:
            return safe_text(str(p.relative_to(data_dir.parent)) if data_dir.parent != Path("") else str(p))
        except ValueError:
            return safe_text(str(p))

    ent_file, top_file = data_dir / "entities.yaml", data_dir / "topics.yaml"
    ent_data, ent_ps = read_yaml(ent_file, label(ent_file))
    problems += ent_ps
    top_data, top_ps = read_yaml(top_file, label(top_file))
    problems += top_ps
    # a file that could not be read has its one message already; do not add "file is empty"
    entities = _entities(ent_data, label(ent_file), problems) if not ent_ps else []
    topics = _topics(top_data, label(top_file), problems) if not top_ps else []

    sources: list[Source] = []
    try:
        paths = source_files(data_dir)
    except OSError as exc:
        # no sources/ to list is a problem, never an empty corpus that would empty the store
        folder = data_dir / "sources"
        if exc.errno == errno.ENOENT and not os.path.lexists(folder):
            why = "missing (every source file lives in sources/)"
        elif exc.errno == errno.ENOTDIR:
            why = "not a folder"
        else:
            why = f"cannot be listed: {exc.strerror or exc}"
        problems.append(Problem(label(folder), 0, "", f"the sources folder is {why}"))
        paths = []
    for s, ps in _parse_many([(path, label(path)) for path in paths]):
        problems += ps
        if s:
            sources.append(s)

    _cross_check(entities, topics, sources, problems)
    if problems:
        raise CorpusError(problems)
    return Corpus(
        entities=[e for e, _ in entities],
        topics=sorted((t for t, _ in topics), key=lambda t: (t.order, t.id)),
        sources=sources,
        digest=corpus_digest(data_dir),
    )


def _unique(items, what: str, problems: list[Problem]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for obj, rec in items:
        if obj.id is None:
            continue
        if obj.id in seen:
            first = seen[obj.id][1]
            rec.problem("id", f"duplicate {what} id {_show(obj.id)} (first defined at {first.file}:{first.line()})")
        else:
            seen[obj.id] = (obj, rec)
    return seen


def _check_entity_graph(entities, ents: dict[str, Any]) -> None:
    """An entity that is its own ancestor (parent: chains) or its own member (groups of
    groups), and two entities with one name (also "Café" typed in NFC and in NFD:
    text is read in NFC, so they are the same name)."""
    parent = {e.id: e.parent for e, _ in entities if e.id}
    members = {e.id: e.members for e, _ in entities if e.id}
    for e, r in entities:
        if e.id is None:
            continue
        chain, p = [e.id], e.parent
        while p is not None and p in parent and p not in chain:
            chain.append(p)
            p = parent[p]
        if p == e.id:
            r.problem("parent", f"parents loop back to {_show(e.id)}: {' -> '.join([*chain, e.id])}")
        stack, seen = list(e.members), set()
        while stack:
            m = stack.pop()
            if m == e.id:
                r.problem("members", f"{_show(e.id)} is among its own members (through groups of groups)")
                break
            if m not in seen:
                seen.add(m)
                stack.extend(members.get(m, ()))
    named: dict[str, Any] = {}
    for e, r in entities:
        if not e.name or e.id is None:
            continue
        key = e.name.casefold()
        if key in named and named[key].id != e.id:
            r.problem("name", f"{_show(e.name)} is also the name of entity {_show(named[key].id)} (names must tell entities apart)")
        named.setdefault(key, e)


def _cross_check(entities, topics, sources: list[Source], problems: list[Problem]) -> None:
    ents = _unique(entities, "entity", problems)
    tops = _unique(topics, "topic", problems)
    for e, r in entities:
        for member in e.members:
            if member not in ents:
                r.problem("members", f"unknown entity {_show(member)}{_did_you_mean(member, ents)}")
        if e.members and e.kind != "group":
            r.problem("members", f"only a group has members (this entity is a {e.kind})")
        if e.parent is not None and e.parent not in ents:
            r.problem("parent", f"unknown entity {_show(e.parent)}{_did_you_mean(e.parent, ents)}")
    _check_entity_graph(entities, ents)
    seen_sources: dict[str, Source] = {}
    seen_claims: dict[str, Claim] = {}
    for s in sources:
        if s.id in seen_sources:
            problems.append(Problem(s.file, s.line, "id", f"duplicate source id {_show(s.id)} (first in {seen_sources[s.id].file})"))
        elif s.id:
            seen_sources[s.id] = s
        for c in s.claims:
            if c.id in seen_claims:
                first = seen_claims[c.id]
                problems.append(Problem(c.file, c.at("id"), "id", f"duplicate claim id {_show(c.id)} (first at {first.file}:{first.line})"))
            elif c.id:
                seen_claims[c.id] = c
            if c.entity and c.entity not in ents:
                problems.append(_unknown_entity(c, ents, entities))
            if c.topic and c.topic not in tops:
                problems.append(Problem(c.file, c.at("topic"), "topic", f"unknown topic {_show(c.topic)}{_did_you_mean(c.topic, tops)}"))


def _unknown_entity(c: Claim, ents: dict[str, Any], entities) -> Problem:
    """unknown entity: the id it means when it is a name or alias (`Meta` -> `meta`), else the
    typo it looks like, else a ready line for entities.yaml."""
    folded = c.entity.casefold()
    for e, _ in entities:
        if e.id and folded in {n.casefold() for n in (e.id, e.name or "", *e.aliases)}:
            return Problem(c.file, c.at("entity"), "entity", f"unknown entity {_show(c.entity)} (did you mean {e.id!r}?)")
    hint = _did_you_mean(c.entity, ents)
    if hint:
        return Problem(c.file, c.at("entity"), "entity", f"unknown entity {_show(c.entity)}{hint}")
    if len(c.entity) > 100:
        return Problem(c.file, c.at("entity"), "entity", f"unknown entity {_show(c.entity)}")
    eid = re.sub(r"[^a-z0-9]+", "-", c.entity.lower()).strip("-") or "new-entity"
    name = c.entity if not SLUG.match(c.entity) else " ".join(w.capitalize() for w in c.entity.split("-"))
    shown_name = name if re.fullmatch(r"[A-Za-z][\w .&-]*", name) else repr(name)
    file = entities[0][1].file if entities else "entities.yaml"
    line = f"  - {{id: {eid}, name: {shown_name}, kind: company}}"
    return HintedProblem(c.file, c.at("entity"), "entity", f"unknown entity {_show(c.entity)}",
                         f"add it to {file}:{line}" + (f" and write entity: {eid}" if eid != c.entity else ""))


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
        legacy = Path(texts_dir) / s.document if texts_dir is not None else None
        if legacy is not None and (legacy.is_file() or not (own / s.document).is_file()):
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


_PERIOD_SHAPE = re.compile(r"^(?:(?:H[12]|Q[1-4]) )?(?:19|20)\d{2}(?:-(?:19|20)\d{2})?$")


def _normal_period(p: str) -> str:
    t = " ".join(p.replace("–", "-").replace("—", "-").split())
    t = re.sub(r"^(?:FY|CY|fiscal(?: year)?|calendar(?: year)?)\s*", "", t, flags=re.I)
    m = re.fullmatch(r"(?:([HQ])([1-4])\s*((?:19|20)\d{2})|((?:19|20)\d{2})\s*([HQ])([1-4])|([1-4])([HQ])\s*((?:19|20)\d{2}))", t, re.I)
    if m:
        if m[1]:
            return f"{m[1].upper()}{m[2]} {m[3]}"
        if m[4]:
            return f"{m[5].upper()}{m[6]} {m[4]}"
        return f"{m[8].upper()}{m[7]} {m[9]}"
    return re.sub(r"\s*-\s*", "-", t)


def corpus_warnings(corpus: Corpus) -> list[Problem]:
    """Metrics, units and periods that no other source uses and that look like a slip for one
    that others do (`ai-capx-usd`, `FY2026`): such a figure is silently compared with nothing."""
    out: list[Problem] = []
    users: dict[str, dict[str, set[str]]] = {"metric": {}, "unit": {}, "period": {}}
    for s in corpus.sources:
        for c in s.claims:
            for key in users:
                v = getattr(c, key)
                if v:
                    users[key].setdefault(v, set()).add(s.id)
    for s in corpus.sources:
        for c in s.claims:
            for key, used in users.items():
                v = getattr(c, key)
                if not v or used.get(v, set()) - {s.id}:
                    continue
                others = [o for o, srcs in used.items() if srcs - {s.id}]
                if key == "period":
                    norm = _normal_period(v)
                    close = [norm] if norm != v and (norm in others or _PERIOD_SHAPE.match(norm)) else []
                elif key == "unit":  # units are compared case-insensitively (`usd` is USD): no warning for case
                    if v.casefold() in {o.casefold() for o in others}:
                        continue
                    close = difflib.get_close_matches(v, others, n=1, cutoff=0.75)
                else:
                    close = [o for o in difflib.get_close_matches(v, others, n=3, cutoff=0.85)
                             if o.count("-") == v.count("-")][:1]
                if close:
                    out.append(Problem(c.file, c.at(key), key, (
                        f"warning: {_show(v)} is used by no other source, so this figure is compared with "
                        f"nothing (did you mean {close[0]!r}?)")))
    return out


def draft_claims(corpus: Corpus) -> dict[str, int]:
    """file -> number of claims still marked draft: true."""
    out: dict[str, int] = {}
    for c in corpus.claims:
        if c.draft:
            out[c.file] = out.get(c.file, 0) + 1
    return out
