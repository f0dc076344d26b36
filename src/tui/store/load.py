# Long because the corpus orchestration, its cross-file checks (shared with the update) and
# the corpus-level warnings are one job each too small for a module of its own.
"""Reading the whole corpus: every file parsed (in parallel for large corpora), cross-file
checks (unique ids, known entities and topics, the entity graph), every problem at once;
and the corpus-level warnings and draft counts `pivot check` reports.

The YAML reader is store/yamlread.py, field validation store/fields.py, quote
verification store/quotes.py.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .agreement import normalise_period
from .fields import SLUG, HintedProblem, _did_you_mean, _entities, _propositions, _Record, _source, _topics
from .files import FileState, digest_of, file_label, settle, source_paths, state_of
from .fmt import safe_text
from .metrics import METRICS_FILE, check_metrics, metric_warnings, read_metrics
from .model import (
    Claim,
    Corpus,
    CorpusError,
    Entity,
    Metric,
    Problem,
    Proposition,
    Source,
    Topic,
)
from .yamlread import MAX_FILE_BYTES, _show, parse_yaml, read_bytes


def read_source_file(path: Path, label: str) -> tuple[Source | None, list[Problem], FileState | None]:
    """One source file read and validated on its own (no cross-file checks), and the record of
    the bytes it read (size, time, hash): a file is read and hashed once, and the store records
    the hash of exactly what was parsed."""
    raw, st, problems = read_bytes(path, label)
    if raw is None or st is None:
        return None, problems, None
    state = state_of("sources/" + path.name, st, raw)
    source, problems = parse_source_bytes(raw, label, path.stem)
    return source, problems, state


def parse_source_bytes(raw: bytes, label: str, stem: str) -> tuple[Source | None, list[Problem]]:
    """A source file's bytes, read and validated as the file `stem`.yaml would be (pivot add
    checks its draft so, before writing anything: no temporary file that a full disk or a
    file-size limit could refuse)."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(label, 0, "", f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")]
    data, problems = parse_yaml(raw, label)
    if problems:
        return None, problems
    return _source(data, label, stem, problems), problems


# A parsed file crosses from a worker process to the build as plain tuples: pickle builds
# tuples in C, where a slotted dataclass is rebuilt attribute by attribute in Python
# (at a million claims, ~1.5x the parent's unpickling time, on the cores the parsers share).
_Packed = tuple[Any, ...]


def _pack(s: Source) -> _Packed:
    claims = [
        (c.id, c.entity, c.topic, c.summary, c.quote, c.status, c.metric, c.value_low, c.value_high, c.unit, c.bound)
        + (c.period, c.speaker, c.note, c.draft, c.line, c.lines, c.stance, c.table, c.scope)
        for c in s.claims
    ]
    return (
        s.id,
        s.title,
        s.kind,
        s.publisher,
        s.author,
        s.published,
        s.url,
        s.document,
        s.flags,
        s.notes,
        s.file,
        s.line,
        claims,
        s.as_of,
    )


def _unpack(t: _Packed) -> Source:
    sid, title, kind, publisher, author, published, url, document, flags, notes, file, line, packed, as_of = t
    claims = [
        Claim(
            c[0],
            sid,
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            c[6],
            c[7],
            c[8],
            c[9],
            c[10],
            c[11],
            c[12],
            c[13],
            c[14],
            file,
            c[15],
            c[16],
            c[17],
            c[18],
        )
        for c in packed
    ]
    return Source(sid, title, kind, publisher, author, published, url, document, flags, notes, claims, file, line, as_of)


def _parse_job(job: tuple[str, str]) -> tuple[_Packed | None, list[Problem], FileState | None]:
    source, problems, state = read_source_file(Path(job[0]), job[1])
    return (_pack(source) if source is not None else None), problems, state


def _parse_chunk(jobs: list[tuple[str, str]]) -> list[tuple[_Packed | None, list[Problem], FileState | None]]:
    return [_parse_job(job) for job in jobs]


def _parse_many(jobs: list[tuple[Path, str]]) -> Iterator[tuple[Source | None, list[Problem], FileState | None]]:
    """read_source_file over many files, in their order, on every core when there are enough
    files to pay for it. Streamed: at most a few chunks of files are parsed ahead of the
    one the caller is at, so a caller that stores each source as it comes holds no more
    than that in memory."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        for p, label in jobs:
            yield read_source_file(p, label)
        return
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    size = max(16, min(256, len(jobs) // (workers * 16)))
    chunks = [[(str(p), label) for p, label in jobs[i : i + size]] for i in range(0, len(jobs), size)]
    ctx, parent = _pool_context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_die_with_parent, initargs=(parent,))
    ahead: deque[Future[list[tuple[_Packed | None, list[Problem], FileState | None]]]] = deque()
    try:
        todo = iter(chunks)
        for chunk in todo:
            ahead.append(pool.submit(_parse_chunk, chunk))
            if len(ahead) >= workers * 4:
                break
        while ahead:
            done = ahead.popleft().result()
            for chunk in todo:  # keep the workers busy: one chunk in for each one out
                ahead.append(pool.submit(_parse_chunk, chunk))
                break
            for packed, problems, state in done:
                yield (_unpack(packed) if packed is not None else None), problems, state
    except BaseException:
        # interrupted (SIGTERM, ctrl+c), failed, or the caller stopped: stop the workers now
        # rather than wait for them to finish files nobody wants
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _pool_context() -> tuple[Any, int | None]:
    """How the parse pool starts its workers, and the pid their parent has.

    fork, the fastest, from a process with one thread (`pivot build`). A process with more
    (the explorer, whose refresh worker runs a full build in a thread) must not fork: the
    child gets a copy of every lock another thread held at that moment (the logging,
    import and allocator locks among them), which nothing will ever release. There the
    workers come from a forkserver, a process started afresh (fork and exec) that forks
    them from its own single thread; their parent is then the server, which ends when
    this process does."""
    import multiprocessing
    import threading

    if threading.active_count() == 1:
        try:
            return multiprocessing.get_context("fork"), os.getpid()
        except ValueError:  # platforms without fork
            return None, None
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn"), os.getpid()
    ctx.set_forkserver_preload([__name__])  # the parser, imported once in the server
    _start_forkserver()
    return ctx, None


def _start_forkserver() -> None:
    """Start the forkserver (and multiprocessing's resource tracker) now. Both hand the
    standard error's descriptor to the process they start, and the explorer's sys.stderr
    is Textual's capture, which has none: they are started with the real one."""
    import sys
    from multiprocessing import forkserver

    saved = sys.stderr
    try:
        try:
            usable = saved is not None and saved.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if not usable and sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__
        forkserver.ensure_running()
    finally:
        sys.stderr = saved


def _die_with_parent(parent: int | None) -> None:
    """In each pool worker: end when the build that started it ends, however it ends
    (SIGKILL, SIGTERM, a closed terminal), instead of living on blocked on its pipe.
    Linux's PR_SET_PDEATHSIG; a parent already gone before it took effect is seen by
    the parent pid having changed (`parent`; None for a forkserver's worker, whose
    parent is the server, which itself ends with the build's process)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


PARALLEL_FROM = 400  # source files; below this a process pool costs more than it saves


def load_corpus(data_dir: Path | str) -> Corpus:
    """Load and validate the corpus under data_dir. Raises CorpusError listing every problem."""
    return load_corpus_files(data_dir)[0]


def load_corpus_files(data_dir: Path | str) -> tuple[Corpus, dict[str, FileState]]:
    """load_corpus, and the record of every file it read (rel path -> size, time, hash of the
    bytes parsed), which the store keeps to tell later which files changed."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise CorpusError([Problem(safe_text(str(data_dir)), 0, "", "no such corpus directory")])
    label = file_label(data_dir)
    states: dict[str, FileState] = {}

    base = read_base_files(data_dir, label, states, problems)

    sources: list[Source] = []
    paths = _listed_sources(data_dir, label, problems)
    for s, ps, state in _parse_many([(path, label(path)) for path in paths]):
        problems += ps
        if s:
            sources.append(s)
        if state is not None:
            states[state.rel] = state

    _cross_check(base.entities, base.topics, sources, problems, base.propositions)
    check_metrics(base.metrics, {t.id for t, _ in base.topics if t.id}, problems)
    if problems:
        raise CorpusError(problems)
    states = settle(data_dir, states)  # no record of a file changed in the tick it was read in
    corpus = Corpus(
        entities=[e for e, _ in base.entities],
        topics=sorted((t for t, _ in base.topics), key=lambda t: (t.order, t.id)),
        sources=sources,
        digest=digest_of(states.values()),
        propositions=[p for p, _ in base.propositions],
        metrics=[m for m, _ in base.metrics],
    )
    return corpus, states


class CorpusStream:
    """The corpus read for a streamed full build (build.build_files): the base files first,
    then each source file as it is parsed, checked against the ones before it by the full
    load's own checks (check_sources, one source at a time) and handed on, never all held
    at once. `finish` adds the checks of the base files and the metrics, and raises
    CorpusError with every problem, in the order load_corpus_files reports them (but for a
    claim id taken in an earlier file, said after its source's other problems)."""

    def __init__(self, data_dir: Path | str):
        self.data_dir = data_dir = Path(data_dir)
        self.problems: list[Problem] = []
        if not data_dir.is_dir():
            raise CorpusError([Problem(safe_text(str(data_dir)), 0, "", "no such corpus directory")])
        self.label = label = file_label(data_dir)
        self.states: dict[str, FileState] = {}
        self.base = base = read_base_files(data_dir, label, self.states, self.problems)
        self.paths = _listed_sources(data_dir, label, self.problems)
        self.corpus = Corpus(
            entities=[e for e, _ in base.entities],
            # a topic without a valid order is a problem `finish` raises: sorted anywhere till then
            topics=sorted((t for t, _ in base.topics), key=lambda t: (t.order if isinstance(t.order, int) else 0, t.id or "")),
            sources=[],
            propositions=[p for p, _ in base.propositions],
            metrics=[m for m, _ in base.metrics],
        )
        self._cross: list[Problem] = []  # the checks across files, said after every file's own problems
        self._files: dict[str, str] = {}  # source id -> the file that has it first
        self._claims: set[str] = set()  # the claim ids seen so far

    def sources(self, first_at: Callable[[list[str]], dict[str, tuple[str, int]]]) -> Iterator[Source]:
        """Every source that parses, in file order. `first_at(ids)`: the file and line of the
        first claim with each id (of those seen before), for the message on a duplicate."""
        entities = self.corpus.entities
        topics = {t.id for t, _ in self.base.topics if t.id}
        propositions = {p.id for p, _ in self.base.propositions if p.id}
        entities_file = self.base.entities[0][1].file if self.base.entities else "entities.yaml"

        held: dict[str, tuple[str, int]] = {}  # claims of the sources not handed on (after a problem)

        def taken(ids: list[str]) -> dict[str, Claim]:
            found = first_at([i for i in ids if i in self._claims])
            found.update((i, held[i]) for i in ids if i in held and i not in found)
            return {cid: Claim(cid, "", "", "", "", "", "", file=file, line=line) for cid, (file, line) in found.items()}

        for s, ps, state in _parse_many([(path, self.label(path)) for path in self.paths]):
            self.problems += ps
            if state is not None:
                self.states[state.rel] = state
            if s is None:
                continue
            check_sources(
                [s],
                entities,
                topics,
                entities_file,
                self._cross,
                taken_source=self._files.get,
                taken_claims=taken,
                propositions=propositions,
            )
            if s.id:
                self._files.setdefault(s.id, s.file)
            if self.problems or self._cross:
                # the corpus will be refused: nothing more to store (a source with problems
                # can hold values no table takes), only what later messages name
                held.update((c.id, (c.file, c.line)) for c in s.claims if c.id and c.id not in held and c.id not in self._claims)
                continue
            self._claims.update(c.id for c in s.claims if c.id)
            yield s

    def finish(self) -> dict[str, FileState]:
        """Every problem of the corpus (CorpusError), else the record of every file read."""
        self._claims.clear()
        check_base(self.base.entities, self.base.topics, self.problems, self.base.propositions)
        self.problems += self._cross
        check_metrics(self.base.metrics, {t.id for t, _ in self.base.topics if t.id}, self.problems)
        if self.problems:
            raise CorpusError(self.problems)
        self.states = settle(self.data_dir, self.states)  # no record of a file changed in the tick it was read in
        self.corpus.digest = digest_of(self.states.values())
        return self.states


def _listed_sources(data_dir: Path, label: Callable[[Path], str], problems: list[Problem]) -> list[Path]:
    """The source files, or [] and a problem when sources/ cannot be listed: a corpus without
    its sources is a problem, never an empty corpus that would empty the store."""
    try:
        return source_paths(data_dir)
    except OSError as exc:
        folder = data_dir / "sources"
        if exc.errno == errno.ENOENT and not os.path.lexists(folder):
            why = "missing (every source file lives in sources/)"
        elif exc.errno == errno.ENOTDIR:
            why = "not a folder"
        else:
            why = f"cannot be listed: {exc.strerror or exc}"
        problems.append(Problem(label(folder), 0, "", f"the sources folder is {why}"))
        return []


PROPOSITIONS_FILE = "propositions.yaml"


@dataclass
class BaseFiles:
    """What the corpus's base files say (entities, topics, propositions, the registry of
    metrics), each entry with the record of where it was written (for messages)."""

    entities: list[tuple[Entity, _Record]]
    topics: list[tuple[Topic, _Record]]
    propositions: list[tuple[Proposition, _Record]]
    metrics: list[tuple[Metric, _Record]]
    unread: bool  # entities, topics or propositions could not be read or parsed: every reference to them fails


def read_base_files(
    data_dir: Path, label: Callable[[Path], str], states: dict[str, FileState], problems: list[Problem]
) -> BaseFiles:
    """Read and validate the base files on their own (no cross-file checks), recording the
    state of each file read in `states` and its problems in `problems` (the full load's
    and the base update's one way to read them, in one order)."""
    unread = False

    def read_base(path: Path) -> tuple[Any, list[Problem]]:
        raw, st, ps = read_bytes(path, label(path))
        if raw is None or st is None:
            return None, ps
        states[path.name] = state_of(path.name, st, raw)
        return parse_yaml(raw, label(path))

    ent_file, top_file = data_dir / "entities.yaml", data_dir / "topics.yaml"
    ent_data, ent_ps = read_base(ent_file)
    problems += ent_ps
    top_data, top_ps = read_base(top_file)
    problems += top_ps
    unread = bool(ent_ps or top_ps)
    # a file that could not be read has its one message already; do not add "file is empty"
    entities = _entities(ent_data, label(ent_file), problems) if not ent_ps else []
    topics = _topics(top_data, label(top_file), problems) if not top_ps else []
    # optional: propositions claims take positions on (a claim's `stance`)
    prop_file = data_dir / PROPOSITIONS_FILE
    propositions: list[tuple[Proposition, _Record]] = []
    if os.path.lexists(prop_file):
        prop_data, prop_ps = read_base(prop_file)
        problems += prop_ps
        unread = unread or bool(prop_ps)
        propositions = _propositions(prop_data, label(prop_file), problems) if not prop_ps else []
    metrics = read_metrics(data_dir, label(data_dir / METRICS_FILE), problems, states)
    return BaseFiles(entities, topics, propositions, metrics, unread)


_Rec = TypeVar("_Rec", Entity, Topic, Proposition)


def _unique(items: list[tuple[_Rec, _Record]], what: str, problems: list[Problem]) -> dict[str, tuple[_Rec, _Record]]:
    seen: dict[str, tuple[_Rec, _Record]] = {}
    for obj, rec in items:
        if obj.id is None:
            continue
        if obj.id in seen:
            first = seen[obj.id][1]
            rec.problem("id", f"duplicate {what} id {_show(obj.id)} (first defined at {first.file}:{first.line()})")
        else:
            seen[obj.id] = (obj, rec)
    return seen


def _check_entity_graph(entities: list[tuple[Entity, _Record]]) -> None:
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
    named: dict[str, Entity] = {}
    for e, r in entities:
        if not e.name or e.id is None:
            continue
        key = e.name.casefold()
        if key in named and named[key].id != e.id:
            r.problem(
                "name", f"{_show(e.name)} is also the name of entity {_show(named[key].id)} (names must tell entities apart)"
            )
        named.setdefault(key, e)


def _cross_check(
    entities: list[tuple[Entity, _Record]],
    topics: list[tuple[Topic, _Record]],
    sources: list[Source],
    problems: list[Problem],
    propositions: list[tuple[Proposition, _Record]] = [],  # noqa: B006 (read only)
) -> None:
    _, tops, props = check_base(entities, topics, problems, propositions)
    entities_file = entities[0][1].file if entities else "entities.yaml"
    check_sources(sources, [e for e, _ in entities], set(tops), entities_file, problems, propositions=set(props))


def check_base(
    entities: list[tuple[Entity, _Record]],
    topics: list[tuple[Topic, _Record]],
    problems: list[Problem],
    propositions: list[tuple[Proposition, _Record]],
) -> tuple[dict[str, tuple[Entity, _Record]], dict[str, tuple[Topic, _Record]], dict[str, tuple[Proposition, _Record]]]:
    """The checks of the base files against each other (unique ids, known entities and
    topics, the entity graph); the entities, topics and propositions by id."""
    ents = _unique(entities, "entity", problems)
    tops = _unique(topics, "topic", problems)
    props = _unique(propositions, "proposition", problems)
    for p, r in propositions:
        if p.entity is not None and p.entity not in ents:
            r.problem("entity", f"unknown entity {_show(p.entity)}{_did_you_mean(p.entity, ents)}")
        if p.topic is not None and p.topic not in tops:
            r.problem("topic", f"unknown topic {_show(p.topic)}{_did_you_mean(p.topic, tops)}")
    for e, r in entities:
        for member in e.members:
            if member not in ents:
                r.problem("members", f"unknown entity {_show(member)}{_did_you_mean(member, ents)}")
        if e.members and e.kind != "group":
            r.problem("members", f"only a group has members (this entity is a {e.kind})")
        if e.parent is not None and e.parent not in ents:
            r.problem("parent", f"unknown entity {_show(e.parent)}{_did_you_mean(e.parent, ents)}")
        if e.kind == "division" and e.parent is None:
            r.problem("parent", "missing: a division names the company it belongs to (parent: meta)")
    _check_entity_graph(entities)
    return ents, tops, props


def check_sources(
    sources: list[Source],
    entities: list[Entity],
    topics: Collection[str],
    entities_file: str,
    problems: list[Problem],
    *,
    taken_source: Callable[[str], str | None] = lambda sid: None,
    taken_claims: Callable[[list[str]], dict[str, Claim]] = lambda ids: {},
    propositions: Collection[str] = (),
) -> None:
    """The checks of source files against each other and the corpus (unique source and claim
    ids, known entities and topics): the full build's and the update's one set of rules and
    words. The update names what the store already holds outside the files it replaces:
    `taken_source(id)` is the file of a source with that id, `taken_claims(ids)` the claims
    (read again from their files, for their lines) whose ids are taken. A duplicate is
    reported at the one whose file comes later by name, as a full load of the corpus does."""
    ents = {e.id for e in entities if e.id}
    seen_sources: dict[str, Source] = {}
    seen_claims: dict[str, Claim] = {}
    for s in sources:
        first_file = seen_sources[s.id].file if s.id in seen_sources else taken_source(s.id) if s.id else None
        if first_file is not None:
            problems.append(Problem(s.file, s.line, "id", f"duplicate source id {_show(s.id)} (first in {first_file})"))
        elif s.id:
            seen_sources[s.id] = s
        for c in s.claims:
            if c.id in seen_claims:
                first = seen_claims[c.id]
                problems.append(
                    Problem(c.file, c.at("id"), "id", f"duplicate claim id {_show(c.id)} (first at {first.file}:{first.line})")
                )
            elif c.id:
                seen_claims[c.id] = c
            if c.entity and c.entity not in ents:
                problems.append(_unknown_entity(c, ents, entities, entities_file))
            if c.topic and c.topic not in topics:
                problems.append(
                    Problem(c.file, c.at("topic"), "topic", f"unknown topic {_show(c.topic)}{_did_you_mean(c.topic, topics)}")
                )
            for prop in c.stance:
                if prop not in propositions:
                    problems.append(
                        Problem(
                            c.file,
                            c.at("stance"),
                            "stance",
                            f"unknown proposition {_show(prop)}{_did_you_mean(prop, propositions)}"
                            f" (propositions are listed in {PROPOSITIONS_FILE})",
                        )
                    )
    for cid, other in taken_claims(list(seen_claims)).items():
        first, later = (other, seen_claims[cid]) if other.file < seen_claims[cid].file else (seen_claims[cid], other)
        problems.append(
            Problem(later.file, later.at("id"), "id", f"duplicate claim id {_show(cid)} (first at {first.file}:{first.line})")
        )


def _unknown_entity(c: Claim, ents: Collection[str], entities: list[Entity], entities_file: str) -> Problem:
    """unknown entity: the id it means when it is a name or alias (`Meta` -> `meta`), else the
    typo it looks like, else a ready line for entities.yaml."""
    folded = c.entity.casefold()
    for e in entities:
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
    line = f"  - {{id: {eid}, name: {shown_name}, kind: company}}"
    return HintedProblem(
        c.file,
        c.at("entity"),
        "entity",
        f"unknown entity {_show(c.entity)}",
        f"add it to {entities_file}:{line}" + (f" and write entity: {eid}" if eid != c.entity else ""),
    )


_PERIOD_SHAPE = re.compile(r"^(?:(?:H[12]|Q[1-4]) )?(?:19|20)\d{2}(?:-(?:19|20)\d{2})?$")


def corpus_warnings(corpus: Corpus) -> list[Problem]:
    """Metrics, units and periods that no other source uses and that look like a slip for one
    that others do (`ai-capx-usd`, `FY2026`): such a figure is silently compared with nothing."""
    out: list[Problem] = []
    users: dict[str, dict[str, set[str]]] = {"metric": {}, "unit": {}, "period": {}}
    if corpus.metrics:  # the registry's own check below knows the registry too
        del users["metric"]
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
                if key == "period":  # the agreement model's own reading of a period
                    norm = normalise_period(v) or v
                    close = [norm] if norm != v and (norm in others or _PERIOD_SHAPE.match(norm)) else []
                elif key == "unit":  # units are compared case-insensitively (`usd` is USD): no warning for case
                    if v.casefold() in {o.casefold() for o in others}:
                        continue
                    close = difflib.get_close_matches(v, others, n=1, cutoff=0.75)
                else:
                    close = [o for o in difflib.get_close_matches(v, others, n=3, cutoff=0.85) if o.count("-") == v.count("-")][
                        :1
                    ]
                if close:
                    out.append(
                        Problem(
                            c.file,
                            c.at(key),
                            key,
                            (
                                f"warning: {_show(v)} is used by no other source, so this figure is compared with "
                                f"nothing (did you mean {close[0]!r}?)"
                            ),
                        )
                    )
    return out + metric_warnings(corpus)


def draft_claims(corpus: Corpus) -> dict[str, int]:
    """file -> number of claims still marked draft: true."""
    out: dict[str, int] = {}
    for c in corpus.claims:
        if c.draft:
            out[c.file] = out.get(c.file, 0) + 1
    return out
