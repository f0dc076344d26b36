# Long because the loader, the event-level fast path and the bounds guard are one job (reading
# YAML safely and fast) and share their line bookkeeping.
"""The YAML reader: one file in, plain data with the line of every key out, or problems.

Over ~400 lines on purpose: the loader, the event-level fast path and the bounds guard
are one job (reading YAML safely and fast) and share their node and line bookkeeping.

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

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol, cast

import yaml
from yaml import events as ev

from .fmt import safe_text
from .model import (
    Problem,
)

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_C_LOADER = _Base is not yaml.SafeLoader
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 100  # nested collections; the corpus needs four (source, claims, claim, range)
ALIAS_BUDGET = 100_000  # values aliases may add to a document (beyond the document's own)
MAX_INT_CHARS = 70  # an integer literal longer than this is far beyond MAX_ABS_VALUE in any base
SHOWN_CHARS = 60  # of a value quoted in a message


class LineMap(dict[str, Any]):
    """A mapping that knows the line of each of its keys (1-based)."""

    line: int = 0
    lines: dict[str, int]


class LineList(list[Any]):
    """A list that knows the line of each of its items (1-based)."""

    lines: list[int]


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):  # type: ignore[misc,valid-type]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An explicit tag on a value it cannot take (`!!int abc`, `!!timestamp 2026-02-30`,
        # `!!bool maybe`) makes PyYAML's constructors raise plain Python errors; report
        # them like any other YAML problem, at the value's line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, IndexError) as exc:
            tag = node.tag.rsplit(":", 1)[-1] if node.tag.startswith("tag:yaml.org,2002:") else node.tag
            shown = _show(node.value) if isinstance(node.value, str) else _kind(node.value)
            raise yaml.constructor.ConstructorError(None, None, f"{shown} is not a valid !!{tag} value", node.start_mark) from exc


# No implicit timestamps: dates stay strings and are checked by the validator.
# Integers and floats as YAML 1.1 reads them, less base 60 (`1:30` is not 90) and
# leading-zero octal (`010` is not 8): those stay text, and a number field says so.
# Nor hexadecimal or binary (`0x10` is not 16, `0b11` not 3): a figure is written in digits.
_INT = re.compile(r"""^(?:[-+]?(?:0|[1-9][0-9_]*))$""", re.X)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_NUMBER_TAGS = {"tag:yaml.org,2002:int": _INT, "tag:yaml.org,2002:float": _FLOAT}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, _NUMBER_TAGS.get(tag, rx)) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
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


def _construct_int(loader: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> int | BigNumber:
    digits = node.value.replace("_", "").lstrip("+-")
    if digits[:2] in ("0x", "0b"):
        digits = digits[2:]
    if len(digits) > MAX_INT_CHARS:
        return BigNumber(len(digits))
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineMap]:
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
                "while constructing a mapping",
                node.start_mark,
                f"a key must be text, not {_kind(key)}",
                key_node.start_mark,
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


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
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
_PLAIN_TAGS: dict[str, Callable[[yaml.ScalarNode], Any]] = {
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


class _Mark(Protocol):
    line: int


class _ScalarEvent(Protocol):
    """A ScalarEvent as libyaml's parser makes it: its start mark is always set."""

    anchor: str | None
    implicit: tuple[bool, bool]
    value: str
    start_mark: _Mark


class _CollectionStartEvent(Protocol):
    """A Mapping/SequenceStartEvent as libyaml's parser makes it: its start mark is always set."""

    anchor: str | None
    implicit: bool
    start_mark: _Mark


def _fast_load(text: str) -> Any:
    parser = yaml._yaml.CParser(text)
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
        # `t is X` narrows nothing for mypy (testing type(e) in each branch would cost the
        # loop a call per test), and the stubs allow events without marks, which libyaml
        # never makes: one cast per event says what the branch has tested.
        if t is ev.ScalarEvent:
            se = cast(_ScalarEvent, e)
            if se.anchor is not None:
                raise _Fallback("anchor")
            if se.implicit[0]:
                value = _plain(se.value)
            elif se.implicit[1]:
                value = se.value
            else:
                raise _Fallback("tag")
            add(value, se.start_mark.line + 1)
        elif t is ev.MappingStartEvent:
            ce = cast(_CollectionStartEvent, e)
            if ce.anchor is not None or not ce.implicit:
                raise _Fallback("anchor or tag")
            m = LineMap()
            m.line = ce.start_mark.line + 1
            m.lines = {}
            add(m, m.line)
            stack.append(m)
            keys.append(_NO_KEY)
            if len(stack) > MAX_DEPTH:
                raise _Fallback("deep")  # the full path's check gives the message
        elif t is ev.SequenceStartEvent:
            ce = cast(_CollectionStartEvent, e)
            if ce.anchor is not None or not ce.implicit:
                raise _Fallback("anchor or tag")
            seq = LineList()
            seq.lines = []
            add(seq, ce.start_mark.line + 1)
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
    next_event: Callable[[], ev.Event | None]
    if _FAST:
        parser = yaml._yaml.CParser(text)
        next_event = parser.get_event
    else:
        stream = yaml.parse(text, Loader=_Loader)
        next_event = lambda: next(stream, None)
    sizes: dict[str | None, int] = {}  # anchor -> values it stands for
    anchors: list[str | None] = []  # the anchor of each open collection
    counts: list[int] = []  # the values of each open collection
    own = aliased = 0
    try:
        while True:
            e = next_event()
            if e is None or isinstance(e, ev.StreamEndEvent):
                return None
            line = e.start_mark.line + 1 if e.start_mark else 0
            if isinstance(e, (ev.SequenceStartEvent, ev.MappingStartEvent)):
                anchors.append(e.anchor)
                counts.append(1)
                own += 1
                if len(counts) > MAX_DEPTH:
                    return line, f"nests deeper than {MAX_DEPTH} levels"
            elif isinstance(e, (ev.SequenceEndEvent, ev.MappingEndEvent)):
                anchor, n = anchors.pop(), counts.pop()
                if anchor is not None:
                    sizes[anchor] = n
                if counts:
                    counts[-1] += n
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
                if counts:
                    counts[-1] += n
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


def read_bytes(path: Path, label: str) -> tuple[bytes | None, os.stat_result | None, list[Problem]]:
    """The bytes of one file and its stat taken while it was open (the build records the
    size, time and hash of exactly the bytes it parsed), or the problem reading it."""
    from .files import open_regular

    try:
        with os.fdopen(open_regular(path), "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > MAX_FILE_BYTES:
                return None, st, [Problem(label, 0, "", f"file is {st.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")]
            return fh.read(), st, []
    except OSError as exc:
        return None, None, [Problem(label, 0, "", f"cannot read: {exc.strerror or exc}")]


def parse_yaml(raw: bytes, label: str) -> tuple[Any, list[Problem]]:
    """Parse the bytes of one file (read_bytes reads them). Returns (data, problems)."""
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
        return yaml.load(text, Loader=_Loader), []  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        ctx = exc.context_mark
        if (
            not isinstance(exc, DuplicateKey)
            and exc.problem
            and exc.context
            and ctx is not None
            and mark is not None
            and ctx.line != mark.line
        ):
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
            if _C_LOADER:
                line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
            else:
                line = text[: exc.position].count("\n") + 1
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


def _show(value: Any) -> str:
    """A value as a message quotes it: short, one line, control characters escaped."""
    if isinstance(value, str):
        cut = value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"
        return repr(cut)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return _kind(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {
        dict: "a mapping",
        LineMap: "a mapping",
        list: "a list",
        LineList: "a list",
        str: "text",
        bool: "true/false",
        BigNumber: "a number",
    }.get(type(value), type(value).__name__)
