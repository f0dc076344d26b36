"""Read the YAML corpus into typed records, reporting every problem at once.

The loader is YAML's safe loader (libyaml's C parser where available) with two
changes: every mapping remembers the line of each key, so that a message can
say FILE:LINE: field, and a key written twice in one mapping is an error
rather than a silent overwrite. Dates are left as strings so that they are
validated here (a YAML timestamp such as 2026-02-30 would otherwise crash the
parser instead of producing a message).
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

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
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_TEXT = 20_000  # characters in any one text field; a quote is "a sentence or less"
MAX_ABS_VALUE = 1e16  # ten quadrillion: far above any figure a news article prints


class LineMap(dict):
    """A mapping that knows the line of each of its keys (1-based)."""

    line: int = 0
    lines: dict[str, int]


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


# No implicit timestamps: dates stay strings and are checked by the validator.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _Loader, node: yaml.MappingNode):
    data = LineMap()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in data.lines:
            raise DuplicateKey(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r} (first on line {data.lines[key]})",
                key_node.start_mark,
            )
        data.lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def read_yaml(path: Path, label: str) -> tuple[Any, list[Problem]]:
    """Parse one file. Returns (data, problems); data is None when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(label, 0, "", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(label, 0, "", f"cannot read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")  # a BOM is harmless; strip it
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(label, line, "", f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})")]
    try:
        return yaml.load(text, Loader=_Loader), []  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in str(exc):
            what = f"{what} (tags that build objects are not allowed)"
        return None, [Problem(label, line, "", f"YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(label, 0, "", f"YAML: {exc}")]
    except RecursionError:
        return None, [Problem(label, 0, "", "YAML nests too deeply")]


# --- field checks ------------------------------------------------------------

Check = Callable[[Any], tuple[Any, str | None]]


def _text(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, f"expected text, got {_kind(value)}"
    value = str(value).strip()
    if not value:
        return None, "is empty"
    if len(value) > MAX_TEXT:
        return None, f"is {len(value):,} characters long; the limit is {MAX_TEXT:,}"
    return value, None


def _slug(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, f"expected an id (lowercase letters, digits, dashes), got {_kind(value)}"
    if not SLUG.match(value):
        return None, f"{value!r} is not a valid id (lowercase letters, digits, single dashes)"
    return value, None


def _int(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int):
        return None, f"expected a whole number, got {_kind(value)}"
    return value, None


def _text_list(value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list):
        return None, f"expected a list, got {_kind(value)}"
    out = []
    for item in value:
        text, err = _text(item)
        if err:
            return None, f"item {item!r}: {err}"
        out.append(text)
    return out, None


def _date(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None, f"expected a date YYYY-MM-DD, YYYY-MM or YYYY, got {_kind(value)}"
    m = DATE.match(value)
    if not m:
        return None, f"{value!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
    y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        date(y, mo, d)
    except ValueError as exc:
        return None, f"{value!r} is not a real date ({exc})"
    return value, None


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if value not in choices:
            hint = _did_you_mean(str(value), choices)
            return None, f"unknown value {value!r}; expected one of {', '.join(choices)}{hint}"
        return value, None

    return check


def _number(value: Any) -> tuple[float | None, str | None]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, f"expected a number, got {_kind(value)}"
    if not math.isfinite(value):
        return None, f"{value} is not a finite number"
    if abs(value) > MAX_ABS_VALUE:
        return None, f"{value:g} is implausibly large (limit {MAX_ABS_VALUE:g}); write plain units, e.g. dollars"
    return float(value), None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {dict: "a mapping", LineMap: "a mapping", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Record:
    """Checks one mapping against a field spec and collects problems."""

    def __init__(self, data: LineMap, file: str, what: str, problems: list[Problem]):
        self.data, self.file, self.what, self.problems = data, file, what, problems

    def line(self, key: str | None = None) -> int:
        if key is not None and key in getattr(self.data, "lines", {}):
            return self.data.lines[key]
        return getattr(self.data, "line", 0)

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(key), key, message))

    def get(self, key: str, check: Check, required: bool = False) -> Any:
        if key not in self.data or self.data[key] is None:
            if required:
                self.problems.append(Problem(self.file, self.line(), key, f"missing (required in {self.what})"))
            return None
        value, err = check(self.data[key])
        if err:
            self.problem(key, err)
        return value

    def unknown(self, known: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in known:
                hint = _did_you_mean(key, known)
                self.problem(key, f"unknown field in {self.what}{hint or ''}; probably a typo" if hint else f"unknown field in {self.what}")


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
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(Problem(file, getattr(data, "lines", {}).get(key, 0), key, f"item {i + 1}: expected a mapping, got {_kind(item)}"))
        else:
            out.append(item)
    return out


ENTITY_FIELDS = ("id", "name", "kind", "aliases", "members", "parent", "ticker")
TOPIC_FIELDS = ("id", "label", "order", "description")
SOURCE_FIELDS = ("id", "title", "publisher", "author", "published", "url", "kind", "document", "flags", "notes", "claims")
CLAIM_FIELDS = ("id", "entity", "topic", "summary", "quote", "metric", "value", "unit", "bound", "period", "status", "speaker", "note")


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
    r.unknown(CLAIM_FIELDS)
    period = m.get("period")
    if isinstance(period, int) and not isinstance(period, bool):
        m["period"] = str(period)  # period: 2026 written without quotes
    c = Claim(
        id=r.get("id", _slug, True),
        source=source_id,
        entity=r.get("entity", _slug, True),
        topic=r.get("topic", _slug, True),
        summary=r.get("summary", _text, True),
        quote=r.get("quote", _text, True),
        status=r.get("status", _one_of(STATUSES), True),
        metric=r.get("metric", _slug),
        unit=r.get("unit", _text),
        bound=r.get("bound", _one_of(BOUNDS)) or "exact",
        period=r.get("period", _text),
        speaker=r.get("speaker", _text),
        note=r.get("note", _text),
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
            r.problem("flags", f"unknown flag {flag!r}; expected one of {', '.join(FLAGS)}{_did_you_mean(flag, FLAGS)}")
    s.flags = [f for f in flags if f in FLAGS]
    if s.id and s.id != stem:
        r.problem("id", f"source id {s.id!r} does not match the file name {stem!r}.yaml")
    for m in _mapping_list(data, "claims", file, problems) if "claims" in data else []:
        claim, _ = _claim(m, s.id, file, problems)
        s.claims.append(claim)
    if "claims" not in data:
        r.problem("claims", "missing (required in a source)")
    return s


def source_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "sources").glob("*.yaml")) + sorted((data_dir / "sources").glob("*.yml"))


def corpus_files(data_dir: Path) -> list[Path]:
    return [data_dir / "entities.yaml", data_dir / "topics.yaml", *source_files(data_dir)]


def corpus_digest(data_dir: Path) -> str:
    """A hash of every corpus file's name and bytes: the store is rebuilt when it changes."""
    h = hashlib.sha256()
    for path in corpus_files(data_dir):
        h.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def load_corpus(data_dir: Path | str) -> Corpus:
    """Load and validate the corpus under data_dir. Raises CorpusError listing every problem."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise CorpusError([Problem(str(data_dir), 0, "", "no such corpus directory")])

    def label(p: Path) -> str:
        try:
            return str(p.relative_to(data_dir.parent)) if data_dir.parent != Path("") else str(p)
        except ValueError:
            return str(p)

    ent_file, top_file = data_dir / "entities.yaml", data_dir / "topics.yaml"
    ent_data, ps = read_yaml(ent_file, label(ent_file))
    problems += ps
    top_data, ps = read_yaml(top_file, label(top_file))
    problems += ps
    entities = _entities(ent_data, label(ent_file), problems) if not ps or ent_data is not None else []
    topics = _topics(top_data, label(top_file), problems) if top_data is not None or not ps else []

    sources: list[Source] = []
    for path in source_files(data_dir):
        data, ps = read_yaml(path, label(path))
        problems += ps
        if ps:
            continue
        s = _source(data, label(path), path.stem, problems)
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
            rec.problem("id", f"duplicate {what} id {obj.id!r} (first defined at {first.file}:{first.line()})")
        else:
            seen[obj.id] = (obj, rec)
    return seen


def _cross_check(entities, topics, sources: list[Source], problems: list[Problem]) -> None:
    ents = _unique(entities, "entity", problems)
    tops = _unique(topics, "topic", problems)
    for e, r in entities:
        for member in e.members:
            if member not in ents:
                r.problem("members", f"unknown entity {member!r}{_did_you_mean(member, ents)}")
        if e.members and e.kind != "group":
            r.problem("members", f"only a group has members (this entity is a {e.kind})")
        if e.parent is not None and e.parent not in ents:
            r.problem("parent", f"unknown entity {e.parent!r}{_did_you_mean(e.parent, ents)}")
    seen_sources: dict[str, Source] = {}
    seen_claims: dict[str, Claim] = {}
    for s in sources:
        if s.id in seen_sources:
            problems.append(Problem(s.file, s.line, "id", f"duplicate source id {s.id!r} (first in {seen_sources[s.id].file})"))
        elif s.id:
            seen_sources[s.id] = s
        for c in s.claims:
            if c.id in seen_claims:
                first = seen_claims[c.id]
                problems.append(Problem(c.file, c.at("id"), "id", f"duplicate claim id {c.id!r} (first at {first.file}:{first.line})"))
            elif c.id:
                seen_claims[c.id] = c
            if c.entity and c.entity not in ents:
                problems.append(Problem(c.file, c.at("entity"), "entity", f"unknown entity {c.entity!r}{_did_you_mean(c.entity, ents)}"))
            if c.topic and c.topic not in tops:
                problems.append(Problem(c.file, c.at("topic"), "topic", f"unknown topic {c.topic!r}{_did_you_mean(c.topic, tops)}"))


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
            problems.append(Problem(s.file, s.line, "document", f"cannot read {path}: {exc}"))
            continue
        for c in s.claims:
            if normalise_ws(c.quote) not in text:
                problems.append(Problem(c.file, c.at("quote"), "quote", f"not found in {s.document}: {c.quote[:80]!r}"))
    return problems
