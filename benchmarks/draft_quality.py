"""How well `pivot add` drafts real articles: recall, precision and per-field accuracy, per
article and in total, printed as docs/performance.md's table.

Two sets, each measured as a whole:
- the fifteen articles of ../shared/articles (their texts in --articles DIR, git-ignored:
  third-party pages never enter the project; an article whose text is not there is listed
  as missing), against the figures an analyst recorded in <name>.expected.json, with
  benchmarks/draft_answers.yaml saying which registry metrics each figure means;
- the five bundled articles (texts in ../shared/seeds), each drafted against the corpus
  without its own source file (as a user adding it would), against its curated file. A
  figure the curated file records more than once (a table repeating the text) is one figure.

A drafted claim finds an expected figure when its value is the same (a range the same range)
in the same family of units, and its quote holds the words the figure is located by. Recall:
expected figures found. Precision: drafted claims that find one (one claim per figure: a
second claim of the same figure is a repeat, counted against precision). Of the figures found, each
field is right when it is the expected one: the entity (a known id, the group of the same
members, the industry, or the id proposed for an organisation the corpus lacks), the unit,
the bound, the metric (a registry metric that means it, or, where none does, a new name:
mapping onto a registry metric that means something else is wrong), the period and the status
(either reading where the notes call it a judgement call). Title: the page's headline found
where it prints one (the curated title, for the bundled five), none where it prints none.

    python benchmarks/draft_quality.py [--articles DIR] [--expected DIR] [--seeds DIR] [-v]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import yaml  # noqa: E402

from tui.draft import draft  # noqa: E402
from tui.draft.page import from_text  # noqa: E402
from tui.store import load_corpus  # noqa: E402
from tui.store.model import Corpus  # noqa: E402
from tui.store.quotes import normalise_ws  # noqa: E402

FIELDS = ("entity", "unit", "bound", "metric", "period", "status")
UNIT_FAMILY = {
    "employees": "people",
    "people": "people",
    "workers": "people",
    "jobs": "people",
    "roles": "roles",
    "positions": "roles",
    "job postings": "roles",
    "openings": "roles",
    "usd": "usd",
    "usd per share": "usd",
}


@dataclass
class Expected:
    value: list[float]
    unit: str
    locators: list[str]
    right: dict[str, list[Any]]  # field -> acceptable values (None for null)
    new_metric_ok: bool = True
    metric_new_only: bool = False
    industry: bool = False
    members: frozenset[str] | None = None
    optional: bool = False
    label: str = ""


@dataclass
class Row:
    name: str
    expected: int = 0
    drafted: int = 0
    found: int = 0
    matched: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    missing: bool = False
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    titles: int = 0  # pages whose headline (or its absence) the draft got right
    pages: int = 0

    def add(self, other: Row) -> None:
        self.expected += other.expected
        self.drafted += other.drafted
        self.found += other.found
        self.matched += other.matched
        self.titles += other.titles
        self.pages += other.pages
        for k in FIELDS:
            self.right[k] += other.right[k]


def family(unit: str | None) -> str:
    u = (unit or "").casefold()
    return UNIT_FAMILY.get(u, u)


def _norm(text: str) -> str:
    text = normalise_ws(text).casefold()
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("\u2011", "-"), ("…", "")):
        text = text.replace(a, b)
    return re.sub(r"<[^>]+>", "", text).strip(" .")


def holds(quote: str, locator: str) -> bool:
    """The quote holds the locator's words (or, for a locator longer than the quote, the quote
    is the locator's words): a long run of characters in common."""
    q, loc = _norm(quote), _norm(locator)
    if not loc:
        return False
    if loc in q or (len(q) >= 12 and q in loc):
        return True
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, q, loc, autojunk=False).find_longest_match(0, len(q), 0, len(loc))
    return m.size >= min(25, len(loc))


def same_value(drafted: Any, expected: list[float]) -> bool:
    got = drafted if isinstance(drafted, list) else [drafted, drafted]
    return all(abs(a - b) <= 2e-3 * max(abs(b), 1e-9) for a, b in zip(got, expected, strict=True))


def canon_period(p: str | None) -> str | None:
    if p is None:
        return None
    p = " ".join(str(p).split()).replace("–", "-")
    p = re.sub(r"^(?:fiscal(?: year)?|FY)\s?((?:19|20)\d{2})$", r"FY\1", p, flags=re.I)
    return p


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def entity_resolver(corpus: Corpus):
    by_name: dict[str, str] = {}
    for e in corpus.entities:
        for n in (e.id, e.name, *e.aliases):
            by_name.setdefault(n.casefold(), e.id)
    kinds = {e.id: e.kind for e in corpus.entities}
    groups = {e.id: frozenset(e.members) for e in corpus.entities if e.kind == "group"}

    def members_of(name: str) -> frozenset[str] | None:
        parts = [p.strip() for p in re.split(r",\s*|\s+and\s+", name) if p.strip()]
        if len(parts) < 2:
            return None
        return frozenset(by_name.get(p.casefold(), slug(p)) for p in parts)

    def expected_ids(name: str) -> tuple[list[str], bool, frozenset[str] | None]:
        """(ids that stand for it, whether it is the industry, its members if a group)"""
        known = by_name.get(name.casefold())
        if known:
            return [known], False, None
        if re.search(r"\bindustry\b|\bsector\b|\bmarket\b|tech workers", name, re.I):
            return [i for i, k in kinds.items() if k == "industry"], True, None
        members = members_of(name)
        if members:
            return [g for g, m in groups.items() if m == members], False, members
        return [slug(name)], False, None

    return expected_ids, kinds


def expected_of_article(path: Path, answers: dict[int, dict[str, Any]], resolve) -> list[Expected]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, f in enumerate(data["figures"]):
        ans = answers.get(i, {})
        ids, industry, members = resolve(f["entity"])
        ids = list(ans.get("entity", [])) + ids
        value = f["value"] if isinstance(f["value"], list) else [f["value"], f["value"]]
        metrics = list(ans.get("metric", []))
        out.append(
            Expected(
                value=[float(v) for v in value],
                unit=f["unit"],
                locators=[f["locator"]],
                right={
                    "entity": ids,
                    "unit": [f["unit"]],
                    "bound": [f["bound"]],
                    "metric": metrics,
                    "period": [canon_period(f["period"]), *[canon_period(p) for p in ans.get("period", [])]],
                    "status": [f["status"], *ans.get("status", [])],
                },
                new_metric_ok=bool(ans.get("new", not metrics)),
                industry=industry,
                members=members,
                optional=bool(ans.get("optional")),
                label=f"{f['locator'][:48]!r} {f['value']} {f['unit']}",
            )
        )
    return out


def expected_of_source(source) -> list[Expected]:
    groups: dict[tuple[Any, ...], Expected] = {}
    for c in source.claims:
        if not c.numeric:
            continue
        key = (c.entity, c.metric, c.value_low, c.value_high, c.unit, c.period)
        if key in groups:  # the same figure again (a table repeating the text): either reading is right
            g = groups[key]
            g.locators.append(c.quote)
            for name, value in (("bound", c.bound), ("status", c.status)):
                if value not in g.right[name]:
                    g.right[name].append(value)
            continue
        groups[key] = Expected(
            value=[c.value_low, c.value_high],
            unit=c.unit or "",
            locators=[c.quote],
            right={
                "entity": [c.entity],
                "unit": [c.unit],
                "bound": [c.bound],
                "metric": [c.metric],
                "period": [canon_period(c.period)],
                "status": [c.status],
            },
            new_metric_ok=False,
            label=f"{c.quote[:48]!r} {c.value} {c.unit}",
        )
    return list(groups.values())


def field_right(name: str, claim, exp: Expected, d, registry: set[str], kinds: dict[str, str]) -> bool:
    if name == "metric":
        if claim.metric in exp.right["metric"]:
            return True
        return exp.new_metric_ok and claim.metric not in registry
    if name == "entity":
        if claim.entity in exp.right["entity"]:
            return True
        proposed = {p.id: p for p in d.new_entities}
        p = proposed.get(claim.entity)
        if exp.industry:
            return kinds.get(claim.entity) == "industry" or (p is not None and p.kind == "industry")
        if exp.members is not None and p is not None:
            return frozenset(p.members) == exp.members
        return False
    if name == "period":
        return canon_period(claim.period) in exp.right["period"]
    if name == "unit":
        return (claim.unit or "").casefold() in {str(u).casefold() for u in exp.right["unit"]}
    return getattr(claim, name) in exp.right[name]


def measure(name: str, text: str, corpus: Corpus, expected: list[Expected], kinds, verbose: bool, title_ok) -> Row:
    page = from_text(text, name)
    started = time.perf_counter()
    d = draft(page, corpus, name)
    row = Row(name, seconds=time.perf_counter() - started, pages=1, titles=int(title_ok(page.title)))
    registry = {m.id for m in corpus.metrics}
    row.drafted = len(d.claims)
    matched: set[int] = set()
    for exp in expected:
        hits = [
            i
            for i, c in enumerate(d.claims)
            if same_value(c.value, exp.value)
            and family(c.unit) == family(exp.unit)
            and any(holds(c.quote, loc) for loc in exp.locators)
        ]
        if not hits:
            if not exp.optional:
                row.expected += 1
                row.notes.append(f"  missed   {exp.label}")
            continue
        row.expected += 1
        row.found += 1
        scores = [(sum(field_right(f, d.claims[i], exp, d, registry, kinds) for f in FIELDS), i not in matched, i) for i in hits]
        best_i = max(scores)[2]
        matched.add(best_i)  # one drafted claim per figure: a second one is a repeat, not a find
        best = d.claims[best_i]
        wrong = []
        for f in FIELDS:
            ok = field_right(f, best, exp, d, registry, kinds)
            row.right[f] += ok
            if not ok:
                wrong.append(f"{f}={getattr(best, f)!r} (want {exp.right[f][:3]})")
        if wrong:
            row.notes.append(f"  wrong    {exp.label}: " + "; ".join(wrong))
    row.matched = len(matched)
    for i, c in enumerate(d.claims):
        if i not in matched:
            row.notes.append(f"  extra    {c.value} {c.unit} {c.metric} {c.quote[:70]!r}")
    if verbose:
        print(f"## {name}: title {d.page.title!r}, published {d.page.published!r}", file=sys.stderr)
        for n in row.notes:
            print(n, file=sys.stderr)
    return row


def pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100 * a / b:.0f} %" if b else "—"


def print_table(rows: list[Row]) -> None:
    print("| article | figures | drafted | recall | precision | entity | unit | bound | metric | period | status | title |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r.missing:
            print(f"| {r.name} | {r.expected} | text missing | | | | | | | | | |")
            continue
        cells = [pct(r.found, r.expected), pct(r.matched, r.drafted), *(pct(r.right[f], r.found) for f in FIELDS)]
        cells.append(f"{r.titles}/{r.pages}" if r.pages > 1 else ("right" if r.titles else "wrong"))
        name = f"**{r.name}**" if r.name.startswith(("all ", "the ")) else r.name
        print(f"| {name} | {r.expected} | {r.drafted} | " + " | ".join(cells) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=Path, default=REPO / "benchmarks" / "articles", help="texts of the fifteen articles")
    ap.add_argument("--expected", type=Path, default=REPO / ".." / "shared" / "articles", help="their *.expected.json")
    ap.add_argument("--seeds", type=Path, default=REPO / ".." / "shared" / "seeds", help="texts of the bundled five")
    ap.add_argument("--answers", type=Path, default=REPO / "benchmarks" / "draft_answers.yaml")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss, wrong field and extra claim on stderr")
    args = ap.parse_args()
    corpus = load_corpus(REPO / "data")
    resolve, kinds = entity_resolver(corpus)
    answers = yaml.safe_load(args.answers.read_text(encoding="utf-8")) or {}
    rows: list[Row] = []
    total_articles = Row("the fifteen articles")
    names = sorted(p.name.removesuffix(".expected.json") for p in args.expected.glob("*.expected.json"))
    if not names:
        print(f"no *.expected.json under {args.expected}", file=sys.stderr)
    for name in names:
        expected = expected_of_article(args.expected / f"{name}.expected.json", answers.get(name) or {}, resolve)
        text_path = args.articles / f"{name}.txt"
        if not text_path.is_file():
            rows.append(Row(name, expected=len(expected), missing=True))
            print(f"{name}: text missing ({text_path}); not measured", file=sys.stderr)
            continue
        known = json.loads((args.expected / f"{name}.expected.json").read_text(encoding="utf-8")).get("title_known")
        row = measure(
            name,
            text_path.read_text(encoding="utf-8"),
            corpus,
            expected,
            kinds,
            args.verbose,
            lambda t, k=known: (t is not None) == bool(k),
        )
        rows.append(row)
        total_articles.add(row)
    rows.append(total_articles)
    total_bundled = Row("the bundled five")
    for s in corpus.sources:
        rest = Corpus(corpus.entities, corpus.topics, [o for o in corpus.sources if o.id != s.id], metrics=corpus.metrics)
        seed = args.seeds / (s.document or "")
        if not s.document or not seed.is_file():
            rows.append(Row(s.id, missing=True))
            continue
        curated = None if s.title.startswith("[") else s.title
        row = measure(
            s.id, seed.read_text(encoding="utf-8"), rest, expected_of_source(s), kinds, args.verbose, lambda t, c=curated: t == c
        )
        rows.append(row)
        total_bundled.add(row)
    rows.append(total_bundled)
    everything = Row("all measured")
    everything.add(total_articles)
    everything.add(total_bundled)
    rows.append(everything)
    print_table(rows)
    slowest = max((r for r in rows if r.seconds), key=lambda r: r.seconds, default=None)
    if slowest:
        print(f"\n(drafting took at most {slowest.seconds:.2f} s per article: {slowest.name})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
