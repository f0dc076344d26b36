# Long because it is one vocabulary: the nouns a figure counts, the verbs that say what
# happens to it, and their mapping to metrics are read together; apart they drift.
"""What a figure counts and what happens to it: the metric, by meaning.

A figure is read as a noun (what is counted: employees, roles, open roles, the workforce,
capital expenditure, spending, revenue, ...) and a verb (what happens to it: cut, cancelled,
offered retirement, hired, spent, ...), with the other words of its phrase as qualifiers.
A registry metric (data/metrics.yaml) is read the same way from each of its `words`. A figure
maps onto a registry metric only when its unit, noun and verb match one of the metric's
phrases and every qualifier of that phrase is in the figure's words ("AI team employees laid
off" needs "AI" and "team"); the most specific phrase wins. A keyword alone never maps a
figure: otherwise the drafter proposes a new metric named after the quantity (its noun and
qualifiers, never the verb alone), for the reviewer to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tui.store.model import Metric

# what is counted: word (lower case, singular or plural) -> noun concept
NOUN_WORDS: dict[str, str] = {}
for concept, words in {
    "staff": "staff employee employees worker workers staffer staffers people person persons job jobs personnel agent agents engineer "
    "engineers manager managers contractor contractors representative representatives designer designers researcher researchers "
    "executive executives",
    "roles": "role roles position positions",
    "openings": "opening openings vacancy vacancies posting postings listing listings requisition requisitions",
    "workforce": "workforce workforces headcount",
    "capex": "capex capital_expenditure capital_expenditures capital_spending capital_investment capital_investments",
    "spending": "spending investment investments outlay outlays budget budgets commitment commitments",
    "revenue": "revenue revenues sales",
    "income": "income profit profits earnings",
    "loss": "loss losses",
    "savings": "savings",
    "cost": "cost costs charge charges expense expenses",
    "backlog": "backlog",
    "market-value": "market_value market_cap market_capitalization valuation",
    "share-price": "shares stock stocks share_price",
    "price-target": "price-target",
    "severance": "severance pay",
    "users": "user users customer customers subscriber subscribers",
    "analysts": "analyst analysts",
    "companies": "company companies firm firms employer employers",
    "events": "event events",
    "pay-bands": "band bands pay_band pay_bands",
    "compensation": "salary salaries compensation",
    "training-run": "training_run training_runs",
}.items():
    for w in words.split():
        NOUN_WORDS[w] = concept

# multi-word nouns and verbs, joined with underscores before the words are read
COMPOUNDS = [
    (re.compile(r"\bcapital[\s-]+expenditures?\b", re.I), "capital_expenditure"),
    (re.compile(r"\bcapital[\s-]+spending\b", re.I), "capital_spending"),
    (re.compile(r"\bcapital[\s-]+investments?\b", re.I), "capital_investment"),
    (re.compile(r"\bmarket[\s-]+(?:value|cap(?:italization|italisation)?)\b", re.I), "market_value"),
    (re.compile(r"\bshare[\s-]+price\b", re.I), "share_price"),
    (re.compile(r"\bprice[\s-]+target\b", re.I), "price_target"),
    (re.compile(r"\bpay[\s-]+bands?\b", re.I), "pay_band"),
    (re.compile(r"\btraining[\s-]+runs?\b", re.I), "training_run"),
    (re.compile(r"\bjob[\s-]+cuts\b", re.I), "job_cuts"),
    (re.compile(r"\bopen[\s-]+(?:roles|positions|jobs)\b", re.I), "open_roles"),
    (re.compile(r"\bjob[\s-]+(?:openings|postings|listings)\b", re.I), "job_openings"),
    (re.compile(r"\blay(?:s|ing)?[\s-]+off\b|\blaid[\s-]+off\b", re.I), "lay_off"),
    (re.compile(r"\blet[\s-]+go\b", re.I), "let_go"),
    (re.compile(r"\b(?:voluntary|early)[\s-]+retirement\b", re.I), "voluntary_retirement"),
    (re.compile(r"\bartificial[\s-]+intelligence\b", re.I), "ai"),
    (re.compile(r"\bdata[\s-]+cent(?:er|re)s?\b", re.I), "data_center"),
    (re.compile(r"\bnet[\s-]+income\b", re.I), "net_income"),
    (re.compile(r"\boperating[\s-]+(?:income|profit)\b", re.I), "operating_income"),
    (re.compile(r"\boperating[\s-]+loss(?:es)?\b", re.I), "operating_loss"),
    (re.compile(r"\byears?[\s-]+of[\s-]+service\b", re.I), "year_of_service"),
]
NOUN_WORDS.update(
    {
        "job_cuts": "staff",
        "open_roles": "openings",
        "job_openings": "openings",
        "net_income": "income",
        "operating_income": "income",
        "operating_loss": "loss",
        "layoff": "staff",
        "layoffs": "staff",
        "cuts": "staff",
    }
)
# nouns that carry their own verb: a layoff is a cut, capex is spent
NOUN_VERB = {"layoff": "cut", "layoffs": "cut", "cuts": "cut", "job_cuts": "cut", "capex": "spend", "capital_expenditure": "spend",
             "capital_spending": "spend", "capital_investment": "spend", "spending": "spend",
             "investment": "spend", "investments": "spend", "outlay": "spend", "outlays": "spend", "operating_loss": "lose",
             "loss": "lose", "losses": "lose", "savings": "save", "job_openings": "open", "openings": "open", "opening": "open",
             "vacancies": "open", "postings": "open", "listings": "open", "commitment": "spend", "commitments": "spend",
             "budget": "spend", "budgets": "spend"}  # fmt: skip

# what happens to it: word (a form of it) -> verb concept
VERB_WORDS: dict[str, str] = {}
for concept, words in {
    "cut": "cut cuts cutting lay_off lay_offs eliminate eliminates eliminated eliminating elimination reduce reduces reduced "
    "reducing reduction reductions shed sheds shedding slash slashes slashed slashing fire fires fired firing let_go trim trims "
    "trimmed trimming axe axes axed axing downsize downsized downsizing redundancy redundancies lost lose losing loses replace "
    "replaced replacing cutback cutbacks",
    "cancel": "cancel cancels cancelled canceled cancelling canceling close closed closing closes freeze froze frozen scrap "
    "scrapped pull pulled",
    "retire": "voluntary_retirement buyout buyouts retirement retire",
    "hire": "hire hires hired hiring recruit recruits recruited recruiting add adds added adding",
    "open": "list lists listed listing post posts posted advertise advertised",
    "spend": "spend spends spent spending invest invests invested investing pour pours poured pouring commit commits committed "
    "committing allocate allocated earmark earmarked direct dedicate dedicated devote devoted capex",
    "save": "save saves saved saving savings",
    "lose": "lost_money",
}.items():
    for w in words.split():
        VERB_WORDS[w] = concept
VERB_WORDS["lay_off"] = "cut"
# a change of the quantity rather than its level: "rose 14%", "raised by $10 billion", "a 77% jump"
CHANGE_WORDS = set(
    "rose rise rises rising grew grow grows growth jump jumped jumps climb climbed climbs increase increased increases up down "  # noqa: SIM905
    "fell fall falls drop dropped drops declined decline declines gain gained gains surge surged surges raised raises boost "
    "boosted lift lifted off slumped tumbled plunged sank soared shrank".split()
)
CHANGE_AFTER = {
    "more",
    "less",
    "higher",
    "lower",
    "increase",
    "jump",
    "rise",
    "gain",
    "drop",
    "decline",
    "growth",
    "surge",
    "up",
    "down",
}
LEVEL_BEFORE = re.compile(
    r"\b(?:to|at|of|from|reached|hit|totall?ed|totals?)\s*(?:about|around|roughly|approximately|nearly|~|≈|the|a|an)?\s*$", re.I
)
BOUND_WORDS = {"many", "much", "high", "low", "least", "most", "over", "under", "roughly", "nearly", "almost", "around",
               "approximately", "contrast", "instance", "example", "also", "just", "only", "now", "still"}  # fmt: skip
DURATION_UNITS = ("days", "weeks", "months", "years")
WHOLE_STAFF = {"staff", "employees", "employee", "workers", "worker", "workforce", "headcount", "personnel", "people", "jobs"}
LIGHT = {"share", "offered", "offer", "offers", "offering", "targeted", "targeting", "number", "amount", "total", "figure"}
PLACEHOLDERS = {"figure", "number", "sum", "amount", "tally", "total"}  # a figure named as a figure: its clause says what it is
COPULA = {"is", "are", "was", "were", "be", "being", "been", "represents", "represent", "reflects", "reflect"}
ABOUT = {"related", "relating", "dedicated", "devoted", "focused", "focusing", "tied", "linked", "centred", "centered"}
PREPS = {"of", "from", "in", "at", "on", "within", "across", "for", "toward", "towards", "into"}
QUALIFIER_SYNONYMS = {"teams": "team", "unit": "team", "units": "team", "division": "team", "lab": "team", "labs": "team"}
STOP = set(
    "a an the of to in on by for from at with than that which who and or but is are was were be been will would could can may "  # noqa: SIM905
    "might has have had as per its their it they we this these those about over more also into up such while after before "
    "including most much some other all any new our your his her them there here what when where how than so not no".split()
)
FAMILY = {  # nouns whose figures are one story for periods: capex and spending
    "capex": "money-out",
    "spending": "money-out",
    "cost": "money-out",
    "compensation": "money-out",
    "staff": "staff",
    "roles": "staff",
    "workforce": "staff",
    "openings": "openings",
}
TOPIC_OF = {
    ("staff", "cut"): "job_cuts",
    ("roles", "cut"): "job_cuts",
    ("workforce", "cut"): "job_cuts",
    ("openings", "cancel"): "job_cuts",
    ("staff", "retire"): "job_cuts",
    ("workforce", "retire"): "job_cuts",
    ("staff", "hire"): "hiring",
    ("openings", "open"): "hiring",
    ("openings", None): "hiring",
    ("capex", None): "ai-capex",
    ("spending", None): "ai-capex",
    ("severance", None): "severance",
    ("loss", None): "losses",
    ("cost", None): "financial-pressure",
    ("revenue", None): "financial-pressure",
    ("income", None): "financial-pressure",
    ("backlog", None): "financial-pressure",
    ("share-price", None): "market-context",
    ("market-value", None): "market-context",
    ("price-target", None): "market-context",
    ("analysts", None): "market-context",
    ("workforce", None): "job_cuts",
    ("staff", None): "job_cuts",
    ("roles", None): "job_cuts",
    ("training-run", None): "compute-cost",
}


_ALL_COMPOUNDS = re.compile("|".join(f"(?P<c{i}>{rx.pattern})" for i, (rx, _) in enumerate(COMPOUNDS)), re.I)
_JOINED = {f"c{i}": joined for i, (_, joined) in enumerate(COMPOUNDS)}
_WORD = re.compile(r"[A-Za-z][\w’']*")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    text = _ALL_COMPOUNDS.sub(lambda m: _JOINED[m.lastgroup or ""], text)
    return tuple(re.sub(r"[’']s$", "", w.lower()).strip("’'") for w in _WORD.findall(text))


def words_of(text: str) -> list[str]:
    """Lower-case words of a text, multi-word nouns and verbs joined ("capital_expenditure",
    "lay_off"), hyphenated words apart ("AI-capex" is "ai", "capex")."""
    return list(_words(text))


def _q(word: str) -> str:
    """A qualifier word in one form ("teams" -> "team", "AI" -> "ai")."""
    w = QUALIFIER_SYNONYMS.get(word, word)
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    return w


@dataclass
class Reading:
    """What a figure (or a registry phrase) counts and what happens to it."""

    noun: str | None = None  # noun concept
    verb: str | None = None  # verb concept
    change: bool = False  # a change of the quantity, not its level
    qualifiers: set[str] = field(default_factory=set)  # the words of its noun's phrase
    noun_words: list[str] = field(default_factory=list)  # the words that name it, for a new metric's id
    context: set[str] = field(default_factory=set)  # every word of the figure's own stretch of the sentence and its clause
    implied: bool = False  # the noun is the verb's ("invest $600 billion": spending)


def read_phrase(text: str) -> Reading:
    """A registry phrase ("AI team employees laid off") as noun, verb and qualifiers."""
    r = Reading()
    for w in words_of(text):
        if r.noun is None and w in NOUN_WORDS:
            r.noun = NOUN_WORDS[w]
            r.verb = r.verb or NOUN_VERB.get(w)
            continue
        if w in VERB_WORDS:  # a verb written out says what happens, over the one its noun carries
            r.verb = VERB_WORDS[w]
            continue
        if w in STOP or w in LIGHT:
            continue
        r.qualifiers.add(_q(w))  # also a second noun: "cost" of "training run cost"
    return r


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOP and w not in LIGHT and not w[0].isdigit()]


def _left_modifiers(words: list[str], at: int) -> list[str]:
    """The words just before a noun that modify it, up to a verb, a stop word or a figure."""
    out: list[str] = []
    i = at - 1
    while i >= 0 and len(out) < 3:
        w = words[i]
        if w in STOP or w in VERB_WORDS or w in PREPS:
            break
        if not w[0].isdigit():
            out.insert(0, w)
        i -= 1
    return out


def _right_phrase(words: list[str], at: int, limit: int = 6) -> list[str]:
    """A noun's prepositional phrase after it ("employees from its AI teams")."""
    if at + 1 < len(words) and words[at + 1] in PREPS - {"for", "toward", "towards", "into"}:
        return _content(words[at + 2 : at + 2 + limit])
    if at + 2 < len(words) and words[at + 1] in ABOUT and words[at + 2] in ("to", "on", "in", "with"):
        return _content(words[at + 3 : at + 3 + limit])  # "openings related to AI": AI openings
    return []


def read_figure(
    unit: str,
    base: bool,
    surface: str,
    own_before: str,
    own_after: str,
    clause_before: str,
    clause_after: str,
    sentence_before: str,
    sentence_after: str,
    topic: Reading | None = None,
) -> tuple[Reading, list[str]]:
    """A figure's noun, verb and qualifiers, and the words just before its noun (for a new
    metric's name).

    The noun: the figure's own (a count's "6,000 open roles"), else what a sum is "in" or "on"
    ("$1.8 billion in restructuring costs"), else the nearest before it in its own words (from
    the figure before it), else the first after it, else what it is spent on ("invest $600
    billion"), else the nearest in its clause, else the noun of the sentence's first figure
    ("Amazon set 2026 capex at $200 billion, Alphabet at $175 billion"). The verb: the one its
    noun carries (layoffs are cut, capex is spent), else the nearest before the figure in its
    own words, else the first after it in its clause, else the nearest in its clause and
    sentence before it, else the first after it in the sentence. Qualifiers: the words of the
    noun's phrase ("AI team employees", "employees from its AI teams"), or for a sum with no
    noun, the words after it ("$215 billion dedicated to its Azure AI infrastructure")."""
    r = Reading()
    before, after, surf = words_of(own_before), words_of(own_after), words_of(surface)
    money = unit in ("USD", "EUR", "GBP", "USD per share")
    phrase: list[str] = []
    mods: list[str] = []

    def take(words: list[str], at: int) -> None:
        w = words[at]
        r.noun, r.verb, r.noun_words = NOUN_WORDS[w], NOUN_VERB.get(w), [w]
        phrase.extend(_left_modifiers(words, at) + _right_phrase(words, at))
        mods.extend(_left_modifiers(words, at))

    at = next((i for i in range(len(surf) - 1, -1, -1) if surf[i] in NOUN_WORDS), None)  # the head noun: the last
    if at is not None:
        take(surf, at)
        phrase.extend(_right_phrase(surf + after, at))
    elif unit in DURATION_UNITS:
        near = next((i for i, w in enumerate(after[1:4], 1) if w in NOUN_WORDS), None) if after[:1] == ["of"] else None
        if near is not None:
            take(after, near)  # "16 weeks of (base) pay": severance
        elif any(NOUN_WORDS.get(w) == "severance" for w in words_of(clause_before)):
            r.noun, r.noun_words = "severance", ["severance"]  # "... 16 weeks of pay plus two weeks per year of service"
        else:  # "given 45 days to decide": a count of days, named after them
            r.noun, r.noun_words = "duration", [unit]
            if after[:1] == ["to"] and len(after) > 1:
                mods.extend(["to", after[1]])
            r.qualifiers = set()
    noun_after = False
    if r.noun is None and (money or unit == "percent") and after[:1] and after[0] in PREPS:
        near = next((i for i, w in enumerate(after[1:5], 1) if w in NOUN_WORDS), None)
        if near is not None:
            take(after, near)
            noun_after = True
    if r.noun is None and (money or unit == "percent") and after[:1] and after[0] in PLACEHOLDERS:
        ca = words_of(clause_after)  # "the $600 billion figure ... might be a blend of investment projections": investment
        be = next((i for i, w in enumerate(ca[:12]) if w in COPULA), None)
        near = next((i for i in range(be + 1, min(len(ca), be + 9)) if ca[i] in NOUN_WORDS), None) if be is not None else None
        if near is not None:
            take(ca, near)
    if r.noun is None and money and any(w in ("lost", "lose", "loses", "losing") for w in before[-3:]):
        r.noun, r.verb, r.noun_words = "loss", "lose", ["loss"]
    if r.noun is None:
        modal = ("can", "could", "will", "would", "may", "might", "to")
        near = next(
            (i for i in range(len(before) - 1, -1, -1) if before[i] in NOUN_WORDS and not (i and before[i - 1] in modal)), None
        )
        if near is not None:
            take(before, near)
    if r.noun is None:
        near = next((i for i, w in enumerate(words_of(clause_after)) if w in NOUN_WORDS), None)
        if near is not None and near < 8:
            take(words_of(clause_after), near)
    spent_after = bool(after) and VERB_WORDS.get(after[0]) == "spend"  # "$215 billion dedicated to ..."
    if r.noun is None and money and (spent_after or any(VERB_WORDS.get(w) == "spend" for w in before[-4:])):
        r.noun, r.verb, r.noun_words, r.implied = "spending", "spend", ["spending"], True
        phrase.extend(_content(after[:8]))
        if after[:1] and after[0] in PREPS:  # "invest $600 billion in data centers": data-center spending
            mods = [w for w in _content(after[1:4]) if w not in VERB_WORDS][:2]
    if r.noun is None:
        cb = words_of(clause_before)
        near = next((i for i in range(len(cb) - 1, -1, -1) if cb[i] in NOUN_WORDS), None)
        if near is not None:
            take(cb, near)
    if r.noun is None and topic is not None and topic.noun is not None:
        r.noun, r.verb, r.noun_words = topic.noun, topic.verb, topic.noun_words
        phrase.extend(topic.qualifiers)
    if r.noun is None and money:
        phrase.extend(_content(after[:8]))
    scale = {"thousand", "million", "billion", "trillion", "bn", "mn", "k", "m", "b"}
    mods[:] = [w for w in mods if w not in scale]
    if not mods and r.noun is None:
        mods = [w for w in _content(before) if w not in VERB_WORDS and w not in NOUN_WORDS and w not in BOUND_WORDS][-2:]
    # the thing counted, as the unit says it: 13% "of its staff" is a share of the workforce; 8% "of
    # job cuts" a share of the cuts; a third "of its managers" a share of a group, not of the workforce
    cut_nouns = ("layoff", "layoffs", "cuts", "job_cuts")
    if unit == "percent" and noun_after and r.noun_words and r.noun_words[0] in cut_nouns:
        r.noun, r.verb = "cuts-share", None  # 8% "of all planned job cuts": a share of the cuts
    elif unit == "percent" and r.noun_words and r.noun_words[0] in cut_nouns:
        r.noun, r.verb = "workforce", "cut"  # "layoffs of 20% or more": of the workforce
    elif unit == "percent" and r.noun == "staff":
        r.noun = "workforce" if r.noun_words and r.noun_words[0] in WHOLE_STAFF else "staff-share"
    elif unit == "employees" and r.noun == "workforce":
        r.noun = "staff"
    if r.noun == "spending" and not r.implied and topic is not None and topic.noun == "capex":
        r.noun = "capex"  # "its spending" after "2026 capex": the same thing, spoken of again
    clause_words = words_of(clause_before)
    changed_clause = any(w in CHANGE_WORDS for w in clause_words)
    own_verbs = [VERB_WORDS[w] for w in before if w in VERB_WORDS][-1:] + [
        VERB_WORDS[w] for w in after if w in VERB_WORDS and w in words_of(clause_after)
    ][:1]
    if r.verb is None:
        for found in (
            own_verbs,
            [VERB_WORDS[w] for w in clause_words if w in VERB_WORDS][-1:],
            []
            if changed_clause
            else [
                VERB_WORDS.get(w) or NOUN_VERB[w]
                for w in words_of(sentence_before)
                if w in VERB_WORDS or (w in NOUN_VERB and NOUN_VERB[w] == "cut")
            ][-1:],
            [] if changed_clause else [VERB_WORDS[w] for w in words_of(sentence_after) if w in VERB_WORDS][:1],
        ):
            if found:
                r.verb = found[0]
                break
    elif money and own_verbs and own_verbs[0] not in (r.verb, "spend") and r.noun != "loss":
        r.change = True  # "cut capex by $5 billion": a change of the spending, not its level
    if unit == "percent" and r.noun is None and r.verb == "cut":
        r.noun = "workforce"  # "a 20% reduction": of the workforce
    r.qualifiers = {_q(w) for w in phrase if w not in r.noun_words and w not in VERB_WORDS} | {
        _q(w) for w in surf if not w[0].isdigit() and w not in r.noun_words and w not in STOP
    }
    r.context = {_q(w) for w in [*before, *surf, *after] if w not in STOP}
    changed_before = any(
        w in CHANGE_WORDS and not (w == "up" and i + 1 < len(before) and before[i + 1] == "to") for i, w in enumerate(before)
    )
    changed_before = changed_before and LEVEL_BEFORE.search(own_before) is None
    r.change = r.change or changed_before or (bool(after) and after[0] in CHANGE_AFTER)
    if base:  # "up from $131 billion", "from a peak of 400,000": the level compared with, no change, no verb
        r.change = False
        if r.noun in ("staff", "workforce", "roles"):
            r.verb = None
    return r, [m for m in mods if m not in VERB_WORDS][-2:]


@dataclass
class Registry:
    """The registry's metrics read as phrases, and what the corpus already uses."""

    metrics: list[Metric]
    phrases: list[tuple[Metric, Reading]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.phrases = [(m, read_phrase(w)) for m in self.metrics for w in [*m.words, m.label]]
        self.by_id = {m.id: m for m in self.metrics}
        self.by_key: dict[tuple[str, str | None, str | None], list[tuple[Metric, Reading]]] = {}
        for m, p in self.phrases:
            if p.noun is not None:
                self.by_key.setdefault((m.unit.casefold(), p.noun, p.verb), []).append((m, p))

    def match(self, unit: str, reading: Reading) -> tuple[Metric | None, Reading | None]:
        """The registry metric whose unit, noun and verb are the figure's and whose phrase's other
        words are all the figure's (in its noun's phrase, or for words other than "AI", anywhere
        in its own words); the most specific such phrase."""
        if reading.change:
            return None, None  # a change of a quantity is another quantity than its level
        best: tuple[int, Metric, Reading] | None = None
        for m, p in self.by_key.get((unit.casefold(), reading.noun, reading.verb), []):
            if not all(q in reading.qualifiers or (q != "ai" and q in reading.context) for q in p.qualifiers):
                continue  # "AI" must qualify the noun itself: capex "concentrated on AI compute" is capex
            score = len(p.qualifiers)
            if best is None or score > best[0]:
                best = (score, m, p)
        return (best[1], best[2]) if best else (None, None)


UNIT_SUFFIX = {"USD": "usd", "EUR": "eur", "GBP": "gbp", "percent": "pct", "USD per share": "usd-per-share"}
VERB_PARTICIPLE = {"cut": "cut", "cancel": "cancelled", "retire": "offered-retirement", "hire": "hired", "open": "open",
                   "save": "saved"}  # fmt: skip
NAME_STOP = STOP | {"about", "around", "roughly", "approximately", "nearly", "almost", "some", "more", "than", "least", "most",
                    "up", "down", "just", "only", "already", "now", "still", "also", "alone", "additional", "another",
                    "total", "totals", "combined", "estimated", "projected", "expected", "reported", "announced", "said",
                    "says", "year", "years", "week", "month", "quarter", "first", "second", "third", "fourth", "last",
                    "next", "this", "that", "company", "firm", "giant", "long", "term", "short", "multi"}  # fmt: skip


def new_metric_id(reading: Reading, unit: str, modifier_words: list[str], names: frozenset[str] = frozenset()) -> str:
    """A new metric's id, named after the quantity: its qualifiers next to the noun, the noun, what
    happens to it, the unit ("corporate-roles-cut", "revenue-change-pct", "ads-revenue-usd"),
    never a company's name or a date."""
    noun = reading.noun_words[0] if reading.noun_words else (reading.noun or "")
    if reading.noun == "duration":  # "45 days to decide": days-to-decide
        after = [w for w in modifier_words if w != "to"][:1]
        return "-".join([unit, "to", *after]) if after else unit
    mods = [
        w
        for w in modifier_words
        if w not in NAME_STOP and w != noun and not any(ch.isdigit() for ch in w) and len(w) > 1 and w not in names
    ][-2:]
    parts = [*mods, noun.replace("capital_expenditure", "capex")]
    if reading.change:
        parts.append("change")
    elif reading.verb in VERB_PARTICIPLE and reading.noun not in ("openings",):
        parts.append(VERB_PARTICIPLE[reading.verb])
    suffix = UNIT_SUFFIX.get(unit)
    if suffix:
        parts.append(suffix)
    elif not noun:
        parts.append(re.sub(r"[^a-z0-9]+", "-", unit.lower()))
    out = re.sub(r"[^a-z0-9]+", "-", "-".join(p for p in parts if p).lower()).strip("-")
    out = re.sub(r"-{2,}", "-", out)
    return out or "figure"


def topic_of(reading: Reading) -> str | None:
    return TOPIC_OF.get((reading.noun or "", reading.verb)) or TOPIC_OF.get((reading.noun or "", None))


def family_of(reading: Reading) -> str | None:
    return FAMILY.get(reading.noun or "", reading.noun)
