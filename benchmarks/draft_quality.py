"""How well `pivot add` drafts the five bundled articles, against their curated files.

For each article the drafter sees the corpus without that article's source file
(as a user adding it would), drafts from the text in ../shared/seeds, and its
figure claims are matched to the curated ones: same value and overlapping quote
text. Prints, per article: curated figures, drafted, found (recall), drafted
claims that match a curated one (precision), and of those found how many have
unit and bound right too, and how many agree on entity, status and period.

    python benchmarks/draft_quality.py [--seeds DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from tui.draft import draft  # noqa: E402
from tui.draft.page import from_text  # noqa: E402
from tui.store import load_corpus  # noqa: E402
from tui.store.model import Corpus  # noqa: E402
from tui.store.quotes import normalise_ws  # noqa: E402


def overlap(a: str, b: str) -> bool:
    a, b = normalise_ws(a), normalise_ws(b)
    if a in b or b in a:
        return True
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size >= min(25, len(a), len(b))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=Path, default=REPO / ".." / "shared" / "seeds")
    args = ap.parse_args()
    corpus = load_corpus(REPO / "data")
    rows = []
    totals = [0] * 8
    for s in corpus.sources:
        rest = Corpus(corpus.entities, corpus.topics, [o for o in corpus.sources if o.id != s.id])
        page = from_text((args.seeds / s.document).read_text(encoding="utf-8"), s.document)
        d = draft(page, rest, s.id + "-draft")
        curated = [c for c in s.claims if c.numeric]
        found = right = entity = status = period = 0
        matched_drafts: set[int] = set()
        for c in curated:
            hits = [
                i
                for i, x in enumerate(d.claims)
                if (x.value if isinstance(x.value, list) else [x.value, x.value]) == [c.value_low, c.value_high]
                and overlap(x.quote, c.quote)
            ]
            if not hits:
                continue
            found += 1
            matched_drafts.update(hits)
            best = max(hits, key=lambda i: (d.claims[i].unit == c.unit) + (d.claims[i].bound == c.bound))
            x = d.claims[best]
            right += x.unit == c.unit and x.bound == c.bound
            entity += x.entity == c.entity
            status += x.status == c.status
            period += x.period == c.period
        n = [len(curated), len(d.claims), found, len(matched_drafts), right, entity, status, period]
        totals = [t + v for t, v in zip(totals, n)]
        rows.append((s.id, n))
    rows.append(("all five", totals))
    print("| article | curated figures | drafted | recall | precision | value, unit, bound right | entity | status | period |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, (cur, drafted, found, matched, right, ent, st, per) in rows:
        pct = lambda a, b: f"{a}/{b} = {100 * a / b:.0f} %" if b else "—"
        print(
            f"| {name} | {cur} | {drafted} | {pct(found, cur)} | {pct(matched, drafted)} | {pct(right, found)} "
            f"| {pct(ent, found)} | {pct(st, found)} | {pct(per, found)} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
