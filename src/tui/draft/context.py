"""Who a figure is about: what the corpus knows (entities, the registry, the metrics and topics
its claims use) and the names in a text, found in one pass.

`Knowledge` is read from a loaded corpus (tests, the benchmark) or from the store and the two
small YAML files beside it (`pivot add`: nothing grows with the number of claims but one
GROUP BY). `Names` finds every known name and every organisation the corpus lacks in a text
at once (one regular expression over the whole page), and answers "which names lie in this
stretch" by bisection, so that drafting stays linear in the page.

Organisations the corpus lacks are proposed only from proper names that act as subjects or
owners of figures ("Oracle, the dark horse ..., has surged", "IBM reduced", "Nvidia shares",
"companies like Klarna"), never from a capitalised common word (a word the text also writes
in lower case), a headline's capitals, a person's name (two capitalised words, a title before
it) or a news outlet.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui.store.model import Corpus, Metric

from .meaning import Registry

GROUP_CUE = re.compile(
    r"\bhyperscal\w*|(?<!\bin )(?<!\bacross )(?<!\bthroughout )\bbig tech\b|\bmag(?:nificent)?[- ]?\d\b|\bbig (?:four|five|three|seven)\b|\btech giants\b|"
    r"\bthe (?:four|five|three|seven) (?:companies|giants|firms)\b",
    re.I,
)
INDUSTRY_CUE = re.compile(
    r"\bindustry[- ]wide\b|\bacross (?:the )?(?:tech(?:nology)? )?(?:industry|sector)\b|\bacross \d[\d,]* (?:companies|firms|employers)\b|"
    r"\blayoff (?:tracker|trackers|tally)\b|\btrackers?\b|\btech(?:nology)? (?:workers|employees|sector|industry|stocks|selloff|"
    r"sell-off|layoffs|jobs|companies|firms)\b|\bthe (?:tech|technology) industry\b|\bthe industry\b|\bjob market\b|"
    r"\bthe U\.?S\.? alone\b|\bglobal demand\b|\bworkers across\b|\b(?:in|across|throughout) big tech\b",
    re.I,
)
PRONOUN = re.compile(
    r"\b(?:it|its|it’s|it's|the company|the company's|the company’s|the firm|the firm's|the firm’s|the tech giant|the giant|"
    r"the software giant|the e-commerce giant|the social media giant|the group|the technology giant)\b",
    re.I,
)
NOT_SUBJECT_BEFORE = re.compile(r"\b(?:like|such as|including|than|versus|vs\.?|unlike|rivals?|competitors?)\s*$", re.I)
OUTLETS = set(  # news and data outlets: sources of figures, never their owners
    "Reuters Bloomberg CNBC FactSet LSEG Invezz TechCrunch BBC WSJ CNN Fortune Forbes Axios Gartner IDC Statista "  # noqa: SIM905
    "Crunchbase Challenger Layoffs.fyi TrueUp Moody's Jefferies Wedbush Morningstar TipRanks".split()
)
COMMON = set(  # capitalised words that are not organisations
    "The A An This That These Those It Its In On At By For From With As And But Or If When While Why What How Who Here There "  # noqa: SIM905
    "Now Then Yet Still So Also Even After Before Since Until Over Under Between Among Into Through During Without Within "
    "AI CEO CFO COO CTO SVP EVP VP US U.S. UK EU SEC GDP EPS YoY QoQ FY HR IT PR GPU GPUs TPU TPUs LLM LLMs API "
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Key Status Scale Official Together Additionally Overview "
    "Table Contents Chief Executive President Premium Buy Hold Sell Strong Phase Part Section Update Updated Published "
    "Editorial Report Analysis News Breaking Exclusive Source Sources Note Read More Share Subscribe Advertisement "
    "Big Tech Street Wall Silicon Valley Wednesday Companies Company Meanwhile However Moreover Crucially Yet Both "
    "Consider Imagine Take Elevate Unlock Focus Market Markets Global World First Second Third Fourth Q1 Q2 Q3 Q4 H1 H2 "
    "Everyone Everybody Nobody Someone Somebody Many Most Some Few Others One All Each Every Neither Either Several "
    "Such Another Other Both Few Much More Less Investors Analysts Employees Workers Managers Experts Critics "
    "We I You He She They Our Their His Her My Your Us Them Me".split()
)
SUBJECT_VERB = (
    r"(?:[a-z]+ly\s+|already\s+|also\s+|now\s+|first\s+|just\s+|still\s+|recently\s+)?"
    r"(?:has|had|have|is|was|were|are|will|would|could|may|can|said|says|announced|announces|reported|reports|states|stated|"
    r"cut|cuts|laid|lays|reduced|reduces|plans|planned|set|sets|raised|raises|posted|posts|eliminated|eliminates|took|takes|"
    r"offered|offers|disclosed|discloses|confirmed|confirms|frames|framed|proved|proves|employs|employed|spent|spends|"
    r"invested|invests|committed|commits|surged|grew|lost|loses|generated|generates|expects|expected|slashed|shed|fired|"
    r"hired|hires|added|adds|filed|files|shares|stock)\b"
)
NAME = r"[A-Z][a-z]+(?:[A-Z][a-z]+)*|[A-Z]{2,5}"
ORG_SUFFIX = (
    r"(?:Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|plc|PLC|Group|Holdings|Securities|Capital|Partners|Institute|"
    r"Labs|Technologies|Systems|Bank|Research|Ventures|Associates|Foundation|University|Networks|Media)"
)
ORG_RE = re.compile(rf"\b((?:[A-Z][\w&’'.-]*\s+){{1,3}}{ORG_SUFFIX})(?![\w])")


@dataclass(slots=True)
class Known:
    id: str
    name: str
    kind: str
    members: frozenset[str] = frozenset()
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    entity: str
    surface: str


@dataclass
class Knowledge:
    """What the corpus already knows, in the shapes the drafter asks about."""

    entities: dict[str, Known]
    registry: Registry
    used: Callable[[str], tuple[str | None, str | None]]  # metric -> (unit, topic) the corpus's claims give it
    topics: dict[str, str]  # id -> label and description
    taken_ids: set[str] = field(default_factory=set)  # claim ids (only those that could collide need be listed)

    @classmethod
    def of(cls, corpus: Corpus) -> Knowledge:
        votes: dict[str, Counter[tuple[str, str]]] = {}
        for c in corpus.claims:
            if c.metric and c.unit:
                votes.setdefault(c.metric, Counter())[(c.unit, c.topic)] += 1
        usual = {m: v.most_common(1)[0][0] for m, v in votes.items()}
        return cls._build(
            corpus.entities,
            corpus.metrics,
            lambda m: usual.get(m, (None, None)),
            {t.id: f"{t.label} {t.description or ''}" for t in corpus.topics},
            {c.id for c in corpus.claims},
        )

    @classmethod
    def from_store(cls, conn: Any, entities: list[Any], topics: list[Any], metrics: list[Metric]) -> Knowledge:
        """The corpus's entities, topics and registry (small files, read as they are now), and the
        store for the unit and topic a metric's claims use: a few indexed rows of that metric,
        asked only for the metrics a draft names (the same time at any corpus size)."""
        seen: dict[str, tuple[str | None, str | None]] = {}

        def used(metric: str) -> tuple[str | None, str | None]:
            if metric not in seen:
                rows = conn.execute("SELECT unit, topic FROM claims WHERE metric = ? LIMIT 50", (metric,)).fetchall()
                seen[metric] = Counter((r[0], r[1]) for r in rows).most_common(1)[0][0] if rows else (None, None)
            return seen[metric]

        return cls._build(entities, metrics, used, {t.id: f"{t.label} {t.description or ''}" for t in topics}, set())

    @classmethod
    def _build(
        cls,
        entities: list[Any],
        metrics: list[Metric],
        used: Callable[[str], tuple[str | None, str | None]],
        topics: dict[str, str],
        taken: set[str],
    ) -> Knowledge:
        known = {e.id: Known(e.id, e.name, e.kind, frozenset(e.members), e.parent, tuple(e.aliases)) for e in entities if e.id}
        registry = {m.id: (m.unit, m.topic) for m in metrics}

        def usual(metric: str) -> tuple[str | None, str | None]:
            unit, topic = registry.get(metric, (None, None))
            if unit is None or topic is None:
                u, t = used(metric)
                unit, topic = unit or u, topic or t
            return unit, topic

        return cls(known, Registry(list(metrics)), usual, topics, taken)

    def names(self) -> list[tuple[str, str]]:
        """(surface, entity id) a text may name an entity by. An event's or a division's alias
        written without a capital ("2026 layoffs") names nothing: it is a common phrase."""
        out: list[tuple[str, str]] = []
        for e in self.entities.values():
            for n in (e.name, *e.aliases):
                if e.kind in ("event", "division") and not re.search(r"[A-Z]", n):
                    continue
                out.append((n, e.id))
                if n.islower() and n.endswith("s") and len(n) > 4:
                    out.append((n[:-1], e.id))  # "hyperscaler" for "hyperscalers"
        return out

    def group_of(self, members: frozenset[str]) -> str | None:
        for e in self.entities.values():
            if e.kind == "group" and e.members == members:
                return e.id
        return None

    def groups_containing(self, eid: str) -> list[str]:
        return [e.id for e in self.entities.values() if e.kind == "group" and eid in e.members]

    def industry(self) -> str | None:
        return next((e.id for e in self.entities.values() if e.kind == "industry"), None)


@dataclass
class Proposed:
    """An entity the corpus lacks, proposed with a ready entities.yaml line."""

    name: str
    id: str
    kind: str = "company"
    members: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        extra = f", members: [{', '.join(self.members)}]" if self.members else ""
        return f"  - {{id: {self.id}, name: {_flow(self.name)}, kind: {self.kind}{extra}}}"


class Names:
    """Every name in a text, known and proposed, found once; asked by stretch."""

    def __init__(self, text: str, know: Knowledge, headline_lines: set[int]) -> None:
        self.know = know
        self.proposed: dict[str, Proposed] = {}
        self.mentions: list[Mention] = []
        taken: list[tuple[int, int]] = []
        folded_text = text.casefold()
        present = [(n, e) for n, e in know.names() if n and n.casefold() in folded_text]  # a few of thousands: a small pattern
        exact = [(n, e) for n, e in present if not (n.islower() or len(n.split()) > 1)]
        folded = [(n, e) for n, e in present if n.islower() or len(n.split()) > 1]
        found: list[Mention] = []
        for pairs, flags in ((folded, re.I), (exact, 0)):
            if not pairs:
                continue
            by_surface = {n.casefold() if flags else n: e for n, e in sorted(pairs, key=lambda p: len(p[0]))}
            rx = re.compile(
                r"(?<![\w-])(?:" + "|".join(re.escape(n) for n, _ in sorted(pairs, key=lambda p: -len(p[0]))) + r")(?![\w-])",
                flags,
            )
            for hit in rx.finditer(text):
                key = hit.group().casefold() if flags else hit.group()
                eid = by_surface.get(key)
                if eid is not None:
                    found.append(Mention(hit.start(), hit.end(), eid, hit.group()))
        for men in sorted(found, key=lambda x: (x.start, -(x.end - x.start))):
            if taken and men.start < taken[-1][1]:
                continue
            self.mentions.append(men)
            taken.append((men.start, men.end))
        known_surfaces = {n.casefold() for n, _ in know.names()}
        starts = [a for a, _ in taken]
        for org in self._organisations(text, known_surfaces, headline_lines):
            i = bisect.bisect_right(starts, org.start) - 1
            inside_known = i >= 0 and taken[i][0] <= org.start < taken[i][1]
            nxt = i + 1 < len(taken) and taken[i + 1][0] < org.end
            if not inside_known and not nxt:
                self.mentions.append(org)
        self.mentions.sort(key=lambda x: x.start)
        self.starts = [m.start for m in self.mentions]
        self.name_words = frozenset(w.lower() for m in self.mentions for w in re.findall(r"[A-Za-z]+", m.surface))

    def _organisations(self, text: str, known: set[str], headline_lines: set[int]) -> list[Mention]:
        lower_words = set(re.findall(r"\b[a-z][a-z]+\b", text))
        owners: set[str] = set()
        line_of = _line_index(text)
        subject = re.compile(
            rf"(?<![A-Za-z])(?P<n>{NAME})(?:\s+(?:Inc\.?|Corp\.?))?"
            rf"(?:(?P<poss>’s|'s)\b|\s+(?:\((?:[A-Z]{{1,5}}|NYSE|NASDAQ)[^)]*\)\s+)?{SUBJECT_VERB}|,\s+(?:the|a|an|one of)\s[^,.]{{3,80}},\s+(?:has|had|is|was|said|says))"
        )
        for m in subject.finditer(text):
            name = m["n"]
            if not self._candidate(name, text, m.start("n"), m.end("n"), lower_words, known):
                continue
            if line_of(m.start()) in headline_lines and not m["poss"]:
                continue
            owners.add(name)
        peers = r"(?:companies|firms|players|rivals|giants|peers|competitors|employers|startups|organisations|organizations)"
        for m in re.finditer(rf"\b{peers},?\s+(?:like|such as|including)\s+(?P<n>{NAME})\b", text, re.I):
            if self._candidate(m["n"], text, m.start("n"), m.end("n"), lower_words, known):
                owners.add(m["n"])
        for m in ORG_RE.finditer(text):
            name = m.group(1).strip()
            if re.match(r"\s+(?:and\s+[\w ]{0,30}?\s+)?(?:divisions?|units?|segments?|arms?)\b", text[m.end() : m.end() + 50]):
                continue  # a part of a company: its figures are the company's unless entities.yaml lists it
            if name.casefold() not in known and name.split()[0] not in COMMON and name.split()[0] not in OUTLETS:
                owners.add(name)
        out: list[Mention] = []
        ids: dict[str, str] = {}
        for name in owners:
            pid = _id_of(name)
            if pid in self.know.entities:
                continue
            self.proposed.setdefault(pid, Proposed(_strip_suffix(name), pid))
            ids[name] = pid
        if ids:  # every mention of every one of them, in one pass
            rx = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in sorted(ids, key=len, reverse=True)) + r")(?![\w-])")
            out = [Mention(m.start(), m.end(), ids[m.group()], m.group()) for m in rx.finditer(text)]
        return out

    @staticmethod
    def _candidate(name: str, text: str, start: int, end: int, lower_words: set[str], known: set[str]) -> bool:
        if name in COMMON or name in OUTLETS or name.casefold() in known or name.lower() in lower_words or len(name) < 2:
            return False
        if re.fullmatch(r"[A-Z][a-z]+ly", name):
            return False
        before = text[max(0, start - 40) : start]
        after = text[end : end + 40]
        # a person's name or a longer proper name: capitalised words on either side
        if re.search(r"[A-Z][\w’'.-]*[ \t]+$", before):
            return False
        if re.match(r"(?:’s|'s)?\s+[A-Z][a-z]", after) and not re.match(r"\s+(?:Inc|Corp)\b", after):
            return False
        return not re.search(r"\b(?:CEO|CFO|Chief Executive|analyst|President|founder|Mr\.?|Ms\.?|Dr\.?)\s+$", before)

    def within(self, a: int, b: int) -> list[Mention]:
        i = bisect.bisect_left(self.starts, a)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < b:
            if self.mentions[i].end <= b:
                out.append(self.mentions[i])
            i += 1
        return out

    def kind(self, eid: str) -> str:
        k = self.know.entities.get(eid)
        if k is not None:
            return k.kind
        p = self.proposed.get(eid)
        return p.kind if p else "company"

    def name(self, eid: str) -> str:
        k = self.know.entities.get(eid)
        if k is not None:
            return k.name
        p = self.proposed.get(eid)
        return p.name if p else eid

    def propose_group(self, members: list[str]) -> str:
        ids = frozenset(members)
        known = self.know.group_of(ids)
        if known:
            return known
        for p in self.proposed.values():
            if p.kind == "group" and frozenset(p.members) == ids:
                return p.id
        names = [self.name(m) for m in members]
        name = ", ".join(names[:-1]) + " and " + names[-1]
        gid = "-".join(members)[:60].strip("-")
        self.proposed[gid] = Proposed(name, gid, "group", list(members))
        return gid


def _line_index(text: str) -> Callable[[int], int]:
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    return line_of


def _strip_suffix(name: str) -> str:
    return re.sub(r"\s*(?:Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|plc|PLC)$", "", name).strip() or name


def _id_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _strip_suffix(name).lower()).strip("-") or "new-entity"


def _flow(text: str) -> str:
    """Text as a YAML flow scalar: plain where that is safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z][\w .&-]*[\w.]", text) and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)
