# Long because it is the whole filter language, tokens to SQL, kept in one place so the CLI and
# the explorer cannot parse differently.
"""The filter language shared by the CLI and the explorer.

    company:meta -source:synapnews topic:job-cuts value>=10% is:conflict "ai pods" layoffs

Text is parsed into a small structure (`Parsed`), then compiled against a store
connection into a WHERE clause and parameters. No user text is ever placed
inside SQL; names that need resolving (an alias such as "facebook", a title
word of a source) are looked up with parameterised queries first.

Rules: the same key twice is OR; different keys are AND; a leading `-` negates
a term or a word; bare words and "quoted phrases" search summary, quote,
speaker and source title (FTS5), bare words as prefixes so that results
follow typing. Any input yields a query or a QueryError with a message meant
for people, never another exception.
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from tui.store.fmt import like_escape, parse_number
from tui.store.vocab import ENTITY_KINDS, FLAGS, STATUSES

# The terms and tokens (tui.query_terms: query.Term and the others are that module's) are
# imported by the functions that make them: an empty filter, the explorer's first page,
# makes none, and start-up is held to a bare Textual app.
if TYPE_CHECKING:
    from tui.query_terms import SourcesTerm as SourcesTerm
    from tui.query_terms import Term as Term
    from tui.query_terms import TextTerm as TextTerm
    from tui.query_terms import Token as Token
    from tui.query_terms import ValueTerm as ValueTerm

_TERMS = frozenset({"SourcesTerm", "Term", "TextTerm", "Token", "ValueTerm"})


def __getattr__(name: str) -> object:
    """query.Term and the other records, from tui.query_terms on first use."""
    if name in _TERMS:
        import tui.query_terms

        return getattr(tui.query_terms, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


KEYS = {
    "company": "company",
    "entity": "entity",
    "source": "source",
    "topic": "topic",
    "metric": "metric",
    "period": "period",
    "status": "status",
    "unit": "unit",
    "speaker": "speaker",
    "flag": "flag",
    "kind": "kind",
    "is": "is",
    "id": "id",
    "proposition": "proposition",
}
IS_VALUES = (
    "conflict",
    "disputed",
    "at-odds",
    "revised",
    "differs",
    "corroborated",
    "single-source",
    "stance",
    "presumed",
    "numeric",
    "qualitative",
    "draft",
)
# what each `is:` value finds; the relations are those of reviewed claims (a draft never
# counts as in conflict, corroborated...: `is:draft` finds drafts)
_REVIEWED = "claims.draft = 0 AND "
IS_SQL = {
    "conflict": _REVIEWED + "claims.standing IN ('disputed', 'at-odds')",
    "disputed": _REVIEWED + "claims.standing = 'disputed'",
    "at-odds": _REVIEWED + "claims.standing = 'at-odds'",
    "revised": _REVIEWED + "claims.revise_count > 0",
    "differs": _REVIEWED + "claims.standing = 'differs'",
    "corroborated": _REVIEWED + "(claims.agree_sources > 0 OR claims.concur_count > 0)",
    "single-source": _REVIEWED + "claims.standing = 'single-source'",
    "stance": "claims.stances IS NOT NULL",
    "presumed": "claims.presumed_period IS NOT NULL",
    "draft": "claims.draft = 1",
    "numeric": "claims.value_low IS NOT NULL",
    "qualitative": "claims.value_low IS NULL",
}
_OPS = (">=", "<=", "!=", ">", "<", "=", ":")
_MAX_TERMS = 64
_MAX_TERM_CHARS = 1_000  # far beyond any name or phrase, far below SQLite's LIKE pattern limit
_SURROGATE = re.compile("[\ud800-\udfff]")


SqlParam: TypeAlias = str | int | float  # a value bound to a `?` of the compiled SQL


class QueryError(ValueError):
    """A message for people: what is wrong with the query and, where possible, what was meant."""


@dataclass
class Parsed:
    terms: list[Term] = field(default_factory=list)
    values: list[ValueTerm] = field(default_factory=list)
    text: list[TextTerm] = field(default_factory=list)
    sources: list[SourcesTerm] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.values or self.text or self.sources)


# --- tokens ---------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?P<tok>
        -?[A-Za-z_]+(?:>=|<=|!=|>|<|=|:)"(?:[^"]*)(?:"|$)   # key:"quoted value"
      | -?"[^"]*(?:"|$)                                   # "a phrase" (closing quote optional)
      | [^\s"]+                                           # anything else up to space/quote
    )""",
    re.VERBOSE,
)


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or not m.group("tok"):
            break
        from tui.query_terms import Token  # once there is a token: an empty filter makes none

        out.append(Token(m.group("tok"), m.start("tok"), m.end("tok")))
        pos = m.end()
    return out


def _unquote(s: str) -> str:
    if s.startswith('"'):
        s = s[1:]
        if s.endswith('"'):
            s = s[:-1]
    return s


def _split_key(tok: str) -> tuple[bool, str, str, str] | None:
    """('-', key, op, value) for key-ish tokens, else None."""
    m = re.match(r"^(-?)([A-Za-z_]+)(>=|<=|!=|>|<|=|:)(.*)$", tok, re.S)
    if not m:
        return None
    return m[1] == "-", m[2], m[3], m[4]


def parse(text: str) -> Parsed:
    """Parse filter text. Raises QueryError with a message for people."""
    parsed = Parsed()
    # NUL ends a string inside SQLite's FTS5 query parser ("unterminated string"); nobody
    # types it on purpose, so it separates words like a space
    bad = _SURROGATE.search(text or "")
    if bad:  # half of a character (a lone UTF-16 surrogate): not text SQLite can be given
        raise QueryError(f"the query has a broken character (U+{ord(bad[0]):04X} at {bad.start() + 1}); type it again")
    toks = tokens((text or "").replace("\x00", " "))
    if len(toks) > _MAX_TERMS:
        raise QueryError(f"too many terms ({len(toks)}); at most {_MAX_TERMS}")
    long = next((t.text for t in toks if len(t.text) > _MAX_TERM_CHARS), None)
    if long is not None:
        raise QueryError(f"a term of {len(long):,} characters ('{long[:20]}…'); at most {_MAX_TERM_CHARS:,}: shorten it")
    if toks:  # the terms' records: an empty filter makes none
        from tui.query_terms import Term, TextTerm, ValueTerm
    for tok in toks:
        raw = tok.text
        split = _split_key(raw) if not raw.lstrip("-").startswith('"') else None
        if split:
            negated, key, op, value = split
            value = _unquote(value)
            lower = key.lower()
            if lower == "value":
                term = _value_term(op, value, raw)
                parsed.values.append(ValueTerm(term.op, term.number, term.unit, negated) if negated else term)
                continue
            if lower == "sources":
                parsed.sources.append(_sources_term(op, value, raw, negated))
                continue
            if lower not in KEYS:
                close = difflib.get_close_matches(lower, [*KEYS, "value", "sources"], n=1, cutoff=0.6)
                hint = (
                    f" — did you mean '{close[0]}'?"
                    if close
                    else f" — known keys: {', '.join(sorted({*KEYS, 'value', 'sources'}))}"
                )
                raise QueryError(f"unknown key '{key}'{hint}")
            if op != ":":
                raise QueryError(f"'{raw}': use {key}:VALUE (comparisons like >= work only with value)")
            if not value.strip():
                raise QueryError(f"'{raw}': {key}: needs a value, e.g. {_example(lower)}")
            parsed.terms.append(_check_term(Term(KEYS[lower], value.strip(), negated, lower, raw)))
            continue
        negated = raw.startswith("-") and len(raw) > 1
        body = raw[1:] if negated else raw
        phrase = body.startswith('"')
        words = _unquote(body) if phrase else body
        if not re.search(r"\w", words):
            continue  # a lone '-', '*', '"' or punctuation: nothing to search for
        parsed.text.append(TextTerm(" ".join(words.split()), phrase, negated))
    return parsed


def _example(key: str) -> str:
    return {
        "company": "company:meta",
        "entity": "entity:microsoft",
        "source": "source:synapnews",
        "topic": "topic:job-cuts",
        "metric": "metric:employees-cut",
        "period": "period:2026",
        "status": "status:estimated",
        "unit": "unit:USD",
        "speaker": "speaker:ives",
        "flag": "flag:ai-assisted",
        "kind": "kind:event",
        "is": "is:conflict",
        "id": "id:CLAIM-ID",
        "proposition": "proposition:meta-cuts-fund-ai",
    }.get(key, f"{key}:x")


def _check_term(t: Term) -> Term:
    from tui.query_terms import Term

    def choose(choices: tuple[str, ...], what: str) -> Term:
        v = t.value.lower()
        if v in choices:
            return Term(t.key, v, t.negated, t.written_key, t.token)
        starts = [c for c in choices if c.startswith(v)]
        if len(starts) == 1:
            return Term(t.key, starts[0], t.negated, t.written_key, t.token)
        close = difflib.get_close_matches(v, choices, n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        raise QueryError(f"unknown {what} '{t.value}'{hint} (one of: {', '.join(choices)})")

    if t.key == "status":
        return choose(STATUSES, "status")
    if t.key == "flag":
        return choose(FLAGS, "flag")
    if t.key == "is":
        return choose(IS_VALUES, "is: value")
    if t.key == "kind":
        return choose(ENTITY_KINDS, "entity kind")
    return t


def _sources_term(op: str, value: str, raw: str, negated: bool) -> SourcesTerm:
    from tui.query_terms import SourcesTerm

    if op == ":":
        m = re.match(r"^(>=|<=|>|<|=)(.*)$", value)
        op, value = (m[1], m[2]) if m else ("=", value)
    if op == "!=" or not re.fullmatch(r"\s*\d{1,6}\s*", value):
        raise QueryError(f"'{raw}': sources needs a whole number, e.g. sources>=2")
    return SourcesTerm(op, int(value), negated)


def _value_term(op: str, value: str, raw: str) -> ValueTerm:
    from tui.query_terms import ValueTerm

    if op == ":":
        m = re.match(r"^(>=|<=|!=|>|<|=)(.*)$", value)
        op, value = (m[1], m[2]) if m else ("=", value)
    if op == "!=":
        raise QueryError(f"'{raw}': use -value=N to exclude a value")
    v = value.strip()
    unit = None
    if v.startswith("$"):
        unit, v = "USD", v[1:]
    if v.endswith("%"):
        unit, v = "percent", v[:-1]
    number = parse_number(v)
    if number is None:
        raise QueryError(f"'{raw}': '{value}' is not a number (examples: value>=80b, value<10k, value>=20%)")
    return ValueTerm(op, number, unit)


# --- compile ----------------------------------------------------------------------


@dataclass
class Compiled:
    where: str  # SQL boolean expression over the claims table (aliased `claims`)
    params: list[SqlParam]
    notes: list[str] = field(default_factory=list)  # what names resolved to, for display
    # The same filter split for speed: an FTS5 MATCH expression (or None) and the
    # rest. Pages are read by walking the full-text index in rowid order, which
    # stops after one page instead of collecting every match first.
    match: str | None = None
    rest_where: str = "1"
    rest_params: list[SqlParam] = field(default_factory=list)
    parsed: Parsed = field(default_factory=Parsed)  # what was compiled: nobody parses the text again

    @property
    def unfiltered(self) -> bool:
        return self.where == "1"


EXPAND_MIN, EXPAND_MAX = 4, 24  # prefixes this long or longer are expanded into at most this many words


def _fts_string(t: TextTerm, conn: sqlite3.Connection | None = None) -> str:
    body = t.text.replace('"', '""')
    if t.phrase or len(t.text) < 2:
        return f'"{body}"'  # a single letter is a word, not a prefix of half the index
    if conn is not None and len(t.text) >= EXPAND_MIN and re.fullmatch(r"[a-z0-9]+", t.text.lower()):
        # The store's prefix index covers two and three letters; a longer prefix would make
        # FTS5 merge the full list of every word it begins before returning one row. The
        # same words, spelled out, are walked lazily in rowid order: one page costs ~1 ms.
        words = _words_beginning(conn, t.text.lower())
        if words is not None:
            if not words:
                return f'"{body}"'  # no word begins so: matches nothing, quickly
            return "(" + " OR ".join(f'"{w}"' for w in words) + ")"
    return f'"{body}"*'


def _words_beginning(conn: sqlite3.Connection, prefix: str) -> list[str] | None:
    """The indexed words that begin with prefix, or None (too many, or an older store)."""
    try:
        rows = conn.execute(
            "SELECT term FROM fts_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (prefix, prefix + "\U0010ffff", EXPAND_MAX + 1),
        ).fetchall()
    except sqlite3.OperationalError:
        return None
    if len(rows) > EXPAND_MAX or any(not re.fullmatch(r"[a-z0-9]+", r[0]) for r in rows):
        return None
    return [r[0] for r in rows]


def resolve_entities(conn: sqlite3.Connection, value: str) -> list[str]:
    v = value.lower()
    rows = conn.execute("SELECT DISTINCT entity FROM entity_names WHERE name = ?", (v,)).fetchall()
    if not rows:
        rows = conn.execute(
            "SELECT DISTINCT entity FROM entity_names WHERE name LIKE ? ESCAPE '\\' LIMIT 200",
            (like_escape(v) + "%",),
        ).fetchall()
    return [r[0] for r in rows]


def resolve_sources(conn: sqlite3.Connection, value: str) -> list[str]:
    v = value.lower()
    rows = conn.execute("SELECT id FROM sources WHERE id = ? OR lower(publisher) = ?", (v, v)).fetchall()
    if not rows:
        rows = conn.execute(
            "SELECT id FROM sources WHERE id LIKE ? ESCAPE '\\' OR lower(publisher) LIKE ? ESCAPE '\\' "
            "OR (' ' || lower(title) || ' ') LIKE ? ESCAPE '\\' LIMIT 500",
            (like_escape(v) + "%", like_escape(v) + "%", "%" + like_escape(v) + "%"),
        ).fetchall()
    return [r[0] for r in rows]


def resolve_propositions(conn: sqlite3.Connection, value: str) -> list[str]:
    """A proposition by id, an id prefix, or a word of its text."""
    v = value.lower()
    rows = conn.execute("SELECT id FROM propositions WHERE id = ?", (v,)).fetchall()
    if not rows:
        rows = conn.execute(
            "SELECT id FROM propositions WHERE id LIKE ? ESCAPE '\\' OR (' ' || lower(text) || ' ') LIKE ? ESCAPE '\\'",
            (like_escape(v) + "%", "%" + like_escape(v) + "%"),
        ).fetchall()
    return [r[0] for r in rows]


def resolve_topics(conn: sqlite3.Connection, value: str) -> list[str]:
    v = value.lower()
    rows = conn.execute("SELECT id FROM topics WHERE id = ? OR lower(label) = ?", (v, v)).fetchall()
    if not rows:
        rows = conn.execute(
            "SELECT id FROM topics WHERE id LIKE ? ESCAPE '\\' OR lower(label) LIKE ? ESCAPE '\\'",
            (like_escape(v) + "%", "%" + like_escape(v) + "%"),
        ).fetchall()
    return [r[0] for r in rows]


def _in(column: str, ids: list[str]) -> tuple[str, list[SqlParam]]:
    if len(ids) == 1:
        return f"{column} = ?", list(ids)
    return f"{column} IN ({', '.join('?' * len(ids))})", list(ids)


def _term_sql(conn: sqlite3.Connection, t: Term) -> tuple[str, list[SqlParam]]:
    if t.key in ("company", "entity", "source", "topic"):
        resolver = {"company": resolve_entities, "entity": resolve_entities, "source": resolve_sources, "topic": resolve_topics}[
            t.key
        ]
        ids = resolver(conn, t.value)
        if not ids:
            raise QueryError(f"no {t.written_key or t.key} matches '{t.value}'")
        if t.key == "company":
            # the entity, its events and its divisions: claims whose figure is about it (qentity),
            # or written on it or on a part of it
            parts = ids + [
                r[0]
                for r in conn.execute(
                    f"SELECT id FROM entities WHERE kind = 'division' AND parent IN ({', '.join('?' * len(ids))})", ids
                )
            ]
            a, pa = _in("claims.qentity", ids)
            b, pb = _in("claims.entity", parts)
            return f"({a} OR {b})", pa + pb
        return _in(f"claims.{t.key}", ids)
    if t.key == "metric":
        v = t.value.lower()
        if conn.execute("SELECT 1 FROM claims WHERE metric = ? LIMIT 1", (v,)).fetchone():
            return "claims.metric = ?", [v]
        return "claims.metric GLOB ?", [_glob_escape(v) + "*"]
    if t.key == "period":
        return "claims.period = ?", [t.value]
    if t.key == "status":
        return "claims.status = ?", [t.value]
    if t.key == "unit":
        return "claims.unit = ? COLLATE NOCASE", [t.value]
    if t.key == "speaker":
        return "claims.speaker LIKE ? ESCAPE '\\'", ["%" + like_escape(t.value) + "%"]
    if t.key == "flag":
        return "claims.source IN (SELECT source FROM source_flags WHERE flag = ?)", [t.value]
    if t.key == "kind":
        return "claims.entity IN (SELECT id FROM entities WHERE kind = ?)", [t.value]
    if t.key == "id":
        return "claims.id = ?", [t.value]
    if t.key == "is":
        return IS_SQL[t.value], []
    if t.key == "proposition":
        ids = resolve_propositions(conn, t.value)
        if not ids:
            raise QueryError(f"no proposition matches '{t.value}'")
        a, pa = _in("proposition", ids)
        return f"claims.id IN (SELECT claim FROM stances WHERE {a})", pa
    raise QueryError(f"unknown key '{t.key}'")  # pragma: no cover - parse() rejects these


def _glob_escape(s: str) -> str:
    return re.sub(r"([*?\[\]])", r"[\1]", s)


def compile_query(parsed: Parsed, conn: sqlite3.Connection) -> Compiled:
    """WHERE clause + parameters for `parsed` against the store behind conn."""
    clauses: list[str] = []
    params: list[SqlParam] = []
    groups: dict[str, list[tuple[str, list[SqlParam]]]] = {}
    for t in parsed.terms:
        sql, ps = _term_sql(conn, t)
        if t.negated:
            # a term and its negation split every claim in two: a NULL (a claim without that
            # field, or a qualitative claim's relation) counts as "not", never as neither
            clauses.append(f"NOT coalesce(({sql}), 0)")
            params += ps
        else:
            groups.setdefault(t.key, []).append((sql, ps))
    for items in groups.values():
        clauses.append("(" + " OR ".join(sql for sql, _ in items) + ")")
        for _, ps in items:
            params += ps
    for v in parsed.values:
        col_op = {
            ">=": "claims.value_high >= ?",
            ">": "claims.value_high > ?",
            "<=": "claims.value_low <= ?",
            "<": "claims.value_low < ?",
            "=": "claims.value_low <= ? AND claims.value_high >= ?",
        }[v.op]
        expr = f"({col_op} AND claims.unit = ?)" if v.unit else f"({col_op})"
        params += [v.number, v.number] if v.op == "=" else [v.number]
        if v.unit:
            params.append(v.unit)
        # a negated value term keeps the claims without a figure too (NULL comparisons)
        clauses.append(f"NOT coalesce({expr}, 0)" if v.negated else expr)
    for st in parsed.sources:
        expr = f"claims.quantity_sources {'=' if st.op == '=' else st.op} ?"
        params.append(st.number)
        clauses.append(f"NOT coalesce({expr}, 0)" if st.negated else expr)
    for tt in parsed.text:
        if tt.negated:
            clauses.append("claims.rowid NOT IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?)")
            params.append(_fts_string(tt, conn))
    rest_where, rest_params = (" AND ".join(clauses) if clauses else "1"), list(params)
    positive = [t for t in parsed.text if not t.negated]
    match = " AND ".join(_fts_string(t, conn) for t in positive) if positive else None
    if match:
        clauses.append("claims.rowid IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?)")
        params.append(match)
    return Compiled(
        " AND ".join(clauses) if clauses else "1",
        params,
        match=match,
        rest_where=rest_where,
        rest_params=rest_params,
        parsed=parsed,
    )


def build_filter(text: str, conn: sqlite3.Connection) -> Compiled:
    """parse + compile in one step; raises QueryError."""
    return compile_query(parse(text), conn)


# --- editing query text (facets toggle terms in the query bar) ----------------------


def format_term(key: str, value: str, negated: bool = False) -> str:
    needs_quotes = not re.fullmatch(r"[^\s\"]+", value)
    body = f'"{value.replace(chr(34), "")}"' if needs_quotes else value
    return f"{'-' if negated else ''}{key}:{body}"


def _term_matches(tok: str, key: str, value: str) -> bool:
    split = _split_key(tok)
    if not split:
        return False
    negated, k, op, v = split
    return not negated and op == ":" and KEYS.get(k.lower()) == KEYS.get(key, key) and _unquote(v).lower() == value.lower()


def toggle_term(text: str, key: str, value: str) -> str:
    """Remove `key:value` from the query text if present, else append it."""
    toks = tokens(text)
    kept = [t.text for t in toks if not _term_matches(t.text, key, value)]
    if len(kept) == len(toks):
        kept.append(format_term(key, value))
    return " ".join(kept)


def _has_key(token: str, keys: tuple[str, ...]) -> bool:
    split = _split_key(token) if not token.lstrip("-").startswith('"') else None
    return split is not None and KEYS.get(split[1].lower()) in keys


def replace_term(text: str, keys: tuple[str, ...], term: str | None, *, first: bool = False) -> str:
    """The query text with every term of `keys` (negated or not) taken out and `term` put
    in its place: at the end, or with `first` at the start (None: only taken out)."""
    kept = [t.text for t in tokens(text) if not _has_key(t.text, keys)]
    if term:
        kept.insert(0 if first else len(kept), term)
    return " ".join(kept)


def remove_tokens(text: str, written: Iterable[str]) -> str:
    """The query text without the tokens written exactly so."""
    gone = set(written)
    return " ".join(t.text for t in tokens(text) if t.text not in gone)
