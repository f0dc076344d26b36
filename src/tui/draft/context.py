"""What the words around a figure say: the entity, metric, topic, status and period.

Everything here is decided from the text and the corpus (entities.yaml, the
metrics and topics its claims already use); where the words do not decide, the
caller is told so, to print it and to write it beside the claim.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tui.store.model import Corpus

STOP = set(  # a word list reads best as text:
    "a an the of to in on by for from at with than that which who and or but is are was were be been will would "  # noqa: SIM905
    "could can may might has have had as per its their it they we this these those about over more also into up "
    "such while after before including most much some other all any new its".split()
)
SYNONYMS = {
    "layoff": "cut",
    "laid": "cut",
    "lay": "cut",
    "reduc": "cut",
    "reduction": "cut",
    "eliminat": "cut",
    "shed": "cut",
    "trim": "cut",
    "slash": "cut",
    "fire": "cut",
    "redundanc": "cut",
    "expenditure": "capex",
    "capital": "capex",
    "invest": "capex",
    "investment": "capex",
    "infrastructure": "capex",
    "guid": "capex",
    "lost": "loss",
    "losing": "loss",
    "lose": "loss",
    "opening": "opening",
    "listing": "opening",
    "vacanc": "opening",
    "hire": "hir",
    "hiring": "hir",
    "percent": "pct",
    "%": "pct",
    "workforce": "workforce",
    "headcount": "workforce",
    "staff": "workforce",
    "retire": "retirement",
    "retir": "retirement",
}
# status cues: the first one in a sentence (its outermost framing) decides
STATUS_CUES = [
    (
        "reported",
        r"\breportedly\b|\breports?\s+(?:say|says|said|indicate|indicates|suggest|suggests|show)\b|"
        r"\baccording to (?:reports|people|sources|a report)\b|\bpeople familiar with\b|\bsources said\b|\bis said to\b",
    ),
    ("possible", r"\bcould\b|(?<![A-Z])\bmay\b|\bmight\b|\bpossibly\b|\bpotential(?:ly)?\b|\bconsidering\b|\bweighing\b"),
    ("planned", r"\bplans?\b|\bplanned\b|\bplanning\b|\bwill\b|\bintends?\b|\baims? to\b|\bpreparing\b|\bset to\b|\btargeting\b"),
    (
        "projected",
        r"\bexpects?\b|\bexpected\b|\bprojected\b|\bprojects\b|\bprojections?\b|\bforecasts?\b|\bforecasted\b|"
        r"\bpredicts?\b|\banticipates?\b|\bguidance\b|\boutlook\b",
    ),
    ("estimated", r"\bestimates?\b|\bestimated\b|\bestimating\b"),
    ("confirmed", r"\bconfirmed\b|\bannounced\b|\bdisclosed\b|\bsaid in a (?:statement|filing)\b"),
]
DEFAULT_STATUS = "reported"  # a news article's figure is a report until a reviewer checks it against its origin
YEAR_RE = re.compile(
    r"(?<![\w$.,/])(?:(?P<half>H[12]|Q[1-4])\s?|(?P<fy>FY|fiscal(?: year)?)\s?)?(?P<y1>(?:19|20)\d{2})"
    r"(?:\s?[-–]\s?(?P<y2>(?:19|20)\d{2}))?(?![\w%])"
)
ORG_SUFFIX = (
    r"(?:Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|plc|PLC|Group|Holdings|Securities|Capital|Partners|Institute|"
    r"Labs|Technologies|Systems|Bank|Research|Ventures|Associates|Foundation|University|Networks|Media|Fund)"
)
ORG_RE = re.compile(rf"\b((?:[A-Z][\w&’'.-]*\s+){{0,3}}{ORG_SUFFIX})(?![\w])")
ORG_VERB_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+[A-Z]?\w*)\s+(?:said it|announced|plans to|reported)\b")


def stem(word: str) -> str:
    w = word.lower().strip("’'\".,;:()")
    w = re.sub(r"’s$|'s$", "", w)
    for suffix in ("ing", "ed", "ies", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    for key, value in SYNONYMS.items():
        if w == key or (len(key) >= 5 and w.startswith(key)):
            return value
    return w


def stems(text: str) -> list[str]:
    return [stem(w) for w in re.findall(r"[A-Za-z%][\w%-]*", text) if w.lower() not in STOP]


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    entity: str
    surface: str


@dataclass
class Knowledge:
    """What the corpus already knows, in the shapes the drafter asks about."""

    names: list[tuple[str, str]]  # (surface, entity id), longest first
    kinds: dict[str, str]
    entity_names: dict[str, str]
    groups: dict[str, set[str]]
    metric_units: dict[str, str]
    metric_words: dict[str, Counter[str]]
    metric_uses: Counter[str]
    metric_topic: dict[str, str]
    topic_words: dict[str, set[str]]
    topics: list[str]
    claim_ids: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, corpus: Corpus, skip_source: str | None = None) -> Knowledge:
        names: dict[str, str] = {}
        for e in corpus.entities:
            for n in [e.name, *e.aliases]:
                names.setdefault(n, e.id)
        metric_units: dict[str, str] = {}
        metric_words: dict[str, Counter[str]] = defaultdict(Counter)
        metric_uses: Counter[str] = Counter()
        topic_votes: dict[str, Counter[str]] = defaultdict(Counter)
        for s in corpus.sources:
            if s.id == skip_source:
                continue
            for c in s.claims:
                if c.metric and c.unit:
                    metric_units.setdefault(c.metric, c.unit)
                    metric_uses[c.metric] += 1
                    metric_words[c.metric].update(set(stems(c.quote)))
                    topic_votes[c.metric][c.topic] += 1
        for m, words in metric_words.items():
            for w in stems(m.replace("-", " ")):
                words[w] += 3 * max(1, metric_uses[m])
        topic_words = {t.id: set(stems(f"{t.id.replace('-', ' ')} {t.label} {t.description or ''}")) for t in corpus.topics}
        return cls(
            names=sorted(names.items(), key=lambda kv: -len(kv[0])),
            kinds={e.id: e.kind for e in corpus.entities},
            entity_names={e.id: e.name for e in corpus.entities},
            groups={e.id: set(e.members) for e in corpus.entities if e.kind == "group" and e.members},
            metric_units=metric_units,
            metric_words=dict(metric_words),
            metric_uses=metric_uses,
            metric_topic={m: v.most_common(1)[0][0] for m, v in topic_votes.items()},
            topic_words=topic_words,
            topics=[t.id for t in corpus.topics],
            claim_ids={c.id for c in corpus.claims},
        )

    # --- entities ------------------------------------------------------------------------------

    def mentions(self, text: str) -> list[Mention]:
        out: list[Mention] = []
        taken: list[tuple[int, int]] = []
        for surface, eid in self.names:
            for m in re.finditer(rf"(?<![\w-]){re.escape(surface)}(?![\w-])", text):
                if all(m.end() <= a or m.start() >= b for a, b in taken):
                    out.append(Mention(m.start(), m.end(), eid, surface))
                    taken.append((m.start(), m.end()))
        return sorted(out, key=lambda m: m.start)

    def pick(self, mentions: list[Mention], nearest_to: int | None = None) -> str | None:
        """The entity a stretch of text is about: a group when three of its members are named
        together, else the first (or, before a point, the nearest) entity that is not an industry."""
        if not mentions:
            return None
        ids = [m.entity for m in mentions]
        for gid, members in self.groups.items():
            if len(members & set(ids)) >= 3:
                return gid
        firm = [m for m in mentions if self.kinds.get(m.entity) != "industry"] or mentions
        if nearest_to is not None:
            return min(firm, key=lambda m: abs(nearest_to - m.end)).entity
        return firm[0].entity

    # --- metrics and topics --------------------------------------------------------------------

    def metric_for(self, unit: str, context: str) -> tuple[str | None, str]:
        """(metric, how) for a figure of `unit` with `context` around it; metric None when the
        corpus has no metric of this unit."""
        same = [m for m, u in self.metric_units.items() if u == unit]
        if not same:
            return None, "new"
        words = Counter(stems(context))
        scored = []
        for m in same:
            profile = self.metric_words[m]
            total = sum(profile.values()) or 1
            score = sum(profile[w] / total * (3 if w in m else 1) for w in words if w in profile)
            slug_hits = sum(1 for w in stems(m.replace("-", " ")) if w in words)
            scored.append((slug_hits, score, self.metric_uses[m], m))
        scored.sort(reverse=True)
        best = scored[0]
        if best[0] == 0 and best[1] == 0:
            return max(same, key=lambda m: self.metric_uses[m]), "guessed"
        return best[3], "words"

    def topic_for(self, metric: str | None, context: str) -> tuple[str, str]:
        if metric in self.metric_topic:
            return self.metric_topic[metric], "metric"
        words = set(stems(context))
        scored = sorted(((len(words & tw), -i, t) for i, (t, tw) in enumerate(self.topic_words.items())), reverse=True)
        if scored and scored[0][0] > 0:
            return scored[0][2], "words"
        return (self.topics[0] if self.topics else "topic"), "guessed"


def status_of(sentence: str) -> tuple[str, str | None]:
    """(status, the cue that decided it); the first cue in the sentence wins."""
    best: tuple[int, str, str] | None = None
    for status, pattern in STATUS_CUES:
        m = re.search(pattern, sentence, re.I if status != "possible" else 0)
        if status == "possible" and m is None:
            m = re.search(r"\bCould\b|\bMight\b", sentence)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), status, m.group())
    if best is None:
        return DEFAULT_STATUS, None
    return best[1], best[2]


def years(text: str) -> list[tuple[int, str]]:
    """(offset, period) of every year or year range in `text`."""
    out = []
    for m in YEAR_RE.finditer(text):
        period = m["y1"] + (f"-{m['y2']}" if m["y2"] else "")
        if m["half"]:
            period = f"{m['half']} {m['y1']}"
        out.append((m.start(), period))
    return out


def nearest_period(text: str, at: int) -> str | None:
    found = years(text)
    if not found:
        return None
    return min(found, key=lambda y: abs(y[0] - at))[1]


def organisations(text: str, knowledge: Knowledge) -> list[str]:
    """Names in `text` that look like organisations and are not in entities.yaml."""
    known = {n for n, _ in knowledge.names} | set(knowledge.entity_names.values())
    out: list[str] = []
    for rx in (ORG_RE, ORG_VERB_RE):
        for m in rx.finditer(text):
            name = m.group(1).strip()
            words = name.split()
            while words and words[0] in ("The", "A", "An", "At", "By", "While", "And", "But"):
                words = words[1:]
            name = " ".join(words)
            if len(name) < 3 or not name[0].isupper():
                continue
            if any(k == name or k in name.split() or name.startswith(k + " ") for k in known):
                continue
            if name not in out:
                out.append(name)
    return out


def entity_line(name: str) -> tuple[str, str]:
    """(id, ready-to-paste entities.yaml line) for an organisation not in the corpus."""
    base = re.sub(r"\s*(?:Inc\.?|Corp\.?|Corporation|Ltd\.?|LLC|plc|PLC)$", "", name).strip() or name
    eid = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "new-entity"
    aliases = f", aliases: [{_flow(name)}]" if base != name else ""
    return eid, f"  - {{id: {eid}, name: {_flow(base)}, kind: company{aliases}}}"


def _flow(text: str) -> str:
    """Text as a YAML flow scalar: plain where that is safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z][\w .&-]*[\w.]", text) and ": " not in text and " #" not in text:
        return text
    import json

    return json.dumps(text, ensure_ascii=False)
