"""Figures in a sentence: money, percentages and counts, with the bound their wording gives.

Digits are read here, with a few lines of our own where the libraries tried fall
short ("$125-$145 billion" is one range in dollars; quantulum3 reads it as a unit
to a power and averages "5,000 to 6,000" into 5,500). Number words ("six hundred",
"two") are read by number-parser. Years are periods, not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SCALE_WORDS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
SCALE_ABBREV = {"k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "b": 10**9, "bn": 10**9, "t": 10**12, "tn": 10**12}
CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP"}

# count nouns (plural, lower case) -> unit; "people" is decided by the words around it
NOUNS = {
    "employees": "employees",
    "workers": "employees",
    "staff": "employees",
    "staffers": "employees",
    "jobs": "employees",
    "layoffs": "employees",
    "cuts": "employees",
    "engineers": "employees",
    "researchers": "employees",
    "contractors": "employees",
    "managers": "employees",
    "people": "people",
    "roles": "roles",
    "positions": "roles",
    "openings": "roles",
    "vacancies": "roles",
    "listings": "roles",
    "users": "users",
    "customers": "users",
    "subscribers": "users",
    "weeks": "weeks",
    "months": "months",
    "days": "days",
    "gpus": "GPUs",
    "chips": "chips",
    "dollars": "USD",
    "euros": "EUR",
    "pounds": "GBP",
}
WORKFORCE_WORDS = re.compile(
    r"\b(?:cut|cuts|layoffs?|laid|lay|fire[ds]?|hire[ds]?|hiring|workforce|headcount|staff|employ\w*|redundan\w*)\b", re.I
)
GAP_STOP = {
    "to",
    "in",
    "on",
    "by",
    "for",
    "from",
    "at",
    "with",
    "than",
    "that",
    "which",
    "who",
    "and",
    "or",
    "but",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "will",
    "would",
    "could",
    "has",
    "have",
    "had",
    "as",
    "per",
    "a",
    "an",
    "the",
    "its",
    "their",
    "of",
    "this",
    "these",
    "those",
    "it",
    "they",
    "we",
    "over",
    "under",
    "into",
    "between",
}

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion)\b|(?:bn|mn|mln|tn|[kKmMbBtT])(?![A-Za-z]))"
_CUR = r"(?:US\$|\$|€|£|(?:USD|EUR|GBP)\s?)"
_SEP = r"\s*(?:-|–|—|to|and)\s*"
MONEY = re.compile(
    rf"(?P<cur>{_CUR})\s?(?P<n1>{NUM})(?P<s1>{_SCALE})?"
    rf"(?:(?P<sep>{_SEP})(?:{_CUR})?\s?(?P<n2>{NUM})(?P<s2>{_SCALE})?)?(?![\w%])"
)
PERCENT = re.compile(
    rf"(?<![\w.,$€£])(?P<n1>{NUM})\s?(?:%|percent\b|per cent\b)?(?:(?P<sep>{_SEP})(?P<n2>{NUM}))?\s?(?:%|percent\b|per cent\b|pct\b)"
)
NUMBER = re.compile(
    rf"(?<![\w.,$€£/#-])(?P<n1>{NUM})(?P<s1>\s(?:thousand|million|billion|trillion)\b)?(?P<plus>\+)?(?![\w%.,]\w)"
)
YEAR = re.compile(r"^(?:19|20)\d{2}$")
WORDS = re.compile(
    r"(?<![\w-])(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-]+(?:and\s+)?(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|dozen))*)(?![\w-])",
    re.I,
)

APPROX = re.compile(
    r"(?:\babout|\baround|\broughly|\bapproximately|\bapprox\.?|\bsome|\bnearly|\balmost|\bclose to|\bcirca|~|≈)\s*$", re.I
)
AT_LEAST = re.compile(
    r"(?:\bover|\bmore than|\bat least|\bupwards of|\bin excess of|\babove|\bexceeding|\bexceed|\bexceeds|\btop|\btops|"
    r"\btopping|\bnorth of|\bno less than|\bno fewer than|\bnot less than|\ba minimum of)\s*$",
    re.I,
)
AT_MOST = re.compile(
    r"(?:\bup to|\bas many as|\bas much as|\bat most|\bno more than|\bnot more than|\ba maximum of|\bunder|\bbelow|"
    r"\bless than|\bfewer than|\bnot exceeding)\s*$",
    re.I,
)
AFTER = re.compile(
    r"^\s*(?:(?P<least>or more\b|or higher\b|or above\b|and up\b|plus\b(?!\s+\w+\s+(?:weeks|per)))|(?P<most>or less\b|or fewer\b|at most\b)|(?P<approx>or so\b))",
    re.I,
)


@dataclass(slots=True)
class Figure:
    start: int  # offsets in the text it was read from
    end: int
    low: float | int
    high: float | int
    unit: str | None
    bound: str
    surface: str
    kind: str  # money, percent, count
    noun: str = ""  # the counted noun, for counts


def _dec(digits: str) -> Decimal:
    return Decimal(digits.replace(",", ""))


def _scale(s: str | None) -> int:
    if not s:
        return 1
    s = s.strip().lower()
    return SCALE_WORDS.get(s) or SCALE_ABBREV.get(s, 1)


def plain(d: Decimal) -> float | int:
    """A Decimal as the corpus writes it: an int where it is whole."""
    return int(d) if d == d.to_integral_value() else float(d)


def _bound(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 40) : start], text[end : end + 30]
    m = AFTER.match(after)
    if m and m["least"] and not (m["least"].lower().startswith("plus")):
        return "at-least"
    if m and m["most"]:
        return "at-most"
    if before.rstrip().endswith(("no more than", "not more than")) or AT_MOST.search(before):
        return "at-most"
    if AT_LEAST.search(before) or text[end : end + 1] == "+":
        return "at-least"
    if APPROX.search(before) or (m and m["approx"]):
        return "approx"
    return "exact"


def _words_value(phrase: str) -> Decimal | None:
    words = phrase.lower().replace("-", " ").split()
    if words[0] == "a" and (len(words) == 1 or words[1] not in ("hundred", "thousand", "million", "billion", "dozen")):
        return None
    try:
        from number_parser import parse_number
    except ImportError:  # pragma: no cover - a dependency
        return None
    value = parse_number(" ".join(w for w in words if w != "a") if words[0] == "a" else phrase.lower())
    if value is None and words[-1] == "dozen":
        value = 12 * (parse_number(" ".join(words[:-1])) or 1) if len(words) > 1 else 12
    return Decimal(value) if isinstance(value, (int, float)) else None


def _noun_after(text: str, end: int) -> tuple[str, str, int] | None:
    """(noun, unit, end) of the count noun a number is followed by, within three modifier words."""
    rest = text[end:]
    m = re.match(r"\s+of\s+(?:the|its|their|those)\s+", rest)
    offset = m.end() if m else 0
    tokens = list(re.finditer(r"[A-Za-z][\w’'-]*|[^\sA-Za-z]", rest[offset:]))
    for i, tok in enumerate(tokens[:4]):
        word = tok.group().lower()
        if word in NOUNS:
            if tokens and rest[offset : offset + tokens[0].start()].strip():
                return None  # punctuation between the number and its words
            return word, NOUNS[word], end + offset + tok.end()
        if not tok.group()[0].isalpha() or word in GAP_STOP or i == 3:
            return None
    return None


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text` (a sentence), in order, never overlapping."""
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(f: Figure) -> None:
        out.append(f)
        taken.append((f.start, f.end))

    pos = 0
    while (m := MONEY.search(text, pos)) is not None:
        pos = m.end()
        if m["n2"] and m["sep"].strip().lower() == "and" and not re.search(r"\bbetween\s*$", text[: m.start()], re.I):
            n2 = None
        else:
            n2 = m["n2"]
        if n2 and re.search(r"\bfrom\s*$", text[: m.start()], re.I):
            n2 = None  # "from $5 billion to $7 billion" is a change, two figures
        if n2 is None:
            end = m.start("n1") + len(m["n1"]) + len(m["s1"] or "")
            s1 = m["s1"]
            hi_d = None
            pos = end
        else:
            end = m.end()
            s1 = m["s1"] or m["s2"]
            hi_d = _dec(n2) * _scale(m["s2"] or m["s1"])
        cur = CURRENCY_SIGNS[m["cur"].strip().lower()]
        lo_d = _dec(m["n1"]) * _scale(s1)
        hi_d = hi_d if hi_d is not None else lo_d
        if hi_d < lo_d:
            continue
        add(Figure(m.start(), end, plain(lo_d), plain(hi_d), cur, _bound(text, m.start(), end), text[m.start() : end], "money"))
    for m in PERCENT.finditer(text):
        if not free(m.start(), m.end()):
            continue
        n2 = m["n2"]
        if n2 and (m["sep"].strip().lower() == "and" or re.search(r"\bfrom\s*$", text[: m.start()], re.I)):
            continue  # "from 10% to 15%": read each on its own below
        lo, hi = _dec(m["n1"]), _dec(n2) if n2 else _dec(m["n1"])
        if hi < lo:
            continue
        add(Figure(m.start(), m.end(), plain(lo), plain(hi), "percent", _bound(text, m.start(), m.end()), m.group(), "percent"))
    for m in re.finditer(rf"(?<![\w.,$€£])(?P<n>{NUM})\s?(?:%|percent\b|per cent\b)", text):
        if free(m.start(), m.end()):
            v = plain(_dec(m["n"]))
            add(Figure(m.start(), m.end(), v, v, "percent", _bound(text, m.start(), m.end()), m.group(), "percent"))
    candidates: list[tuple[int, int, Decimal, bool]] = []
    for m in NUMBER.finditer(text):
        if YEAR.match(m["n1"]) and not m["s1"]:
            continue
        candidates.append(
            (m.start(), m.start("n1") + len(m["n1"]) + len(m["s1"] or ""), _dec(m["n1"]) * _scale(m["s1"]), bool(m["plus"]))
        )
    for m in WORDS.finditer(text):
        value = _words_value(m.group())
        if value is not None:
            candidates.append((m.start(), m.end(), value, False))
    for start, end, value, plus in sorted(candidates):
        if not free(start, end) or value < 2:
            continue
        noun = _noun_after(text, end + (1 if plus else 0))
        if noun is None:
            continue
        word, unit, noun_end = noun
        if unit == "people":
            unit = "employees" if WORKFORCE_WORDS.search(text) else "people"
        kind = "money" if unit in ("USD", "EUR", "GBP") else "count"
        span_end = noun_end
        bound = "at-least" if plus else _bound(text, start, end)
        v = plain(value)
        add(Figure(start, span_end, v, v, unit, bound, text[start:span_end], kind, word))
    out.sort(key=lambda f: f.start)
    return out


# --- a value a person typed -----------------------------------------------------------------------

_TYPED = re.compile(
    rf"^\s*(?P<cur>{_CUR})?\s?(?P<n1>{NUM})\s?(?P<s1>thousand|million|billion|trillion|bn|mn|mln|tn|[kKmMbBtT])?\s*"
    rf"(?:(?:-|–|—|to)\s*(?:{_CUR})?\s?(?P<n2>{NUM})\s?(?P<s2>thousand|million|billion|trillion|bn|mn|mln|tn|[kKmMbBtT])?)?\s*"
    rf"(?P<pct>%|percent|per cent)?\s*(?P<unit>[A-Za-z]+)?\s*$",
    re.I,
)


def read_typed_value(text: str) -> tuple[float | int | list[float | int], str | None] | None:
    """What a person meant by a value written as text ("125B", "$125 billion", "10%", "8,000",
    "1.25e11", "$125-$145 billion"): (number or [low, high], unit or None), or None."""
    t = text.strip()
    try:
        if re.fullmatch(r"[-+]?\d+(?:\.\d*)?[eE][-+]?\d+", t):
            return plain(Decimal(t)), None
    except InvalidOperation:  # pragma: no cover
        return None
    m = _TYPED.match(t)
    if not m:
        return None
    unit = None
    if m["cur"]:
        unit = CURRENCY_SIGNS[m["cur"].strip().lower()]
    if m["pct"]:
        unit = "percent"
    trailing = (m["unit"] or "").lower()
    if trailing:
        if trailing in ("dollars", "dollar", "usd"):
            unit = "USD"
        elif trailing in NOUNS:
            unit = NOUNS[trailing]
        else:
            return None
    s1 = m["s1"] or (m["s2"] if m["n2"] else None)
    lo = _dec(m["n1"]) * _scale(s1)
    if m["n2"]:
        hi = _dec(m["n2"]) * _scale(m["s2"] or m["s1"])
        return [plain(lo), plain(hi)], unit
    return plain(lo), unit
