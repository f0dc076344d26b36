"""Write a synthetic corpus in pivot's own format, shaped like news.

    python benchmarks/synth.py --claims 1000000 --out /tmp/pivot-1m [--seed 7]

Shape (all scaled from --claims; the defaults are for 1M claims):
- entities: claims / 200 (5,000 at 1M), each with two aliases; popularity is
  Zipf-like, so a handful of companies carry a large share of the claims;
- sources: claims / 10 (100,000 at 1M), one file each under sources/, with
  4-16 claims, a publisher drawn from a few hundred outlets and a date;
- topics: the bundled corpus's topics plus a long tail, also skewed;
- claims: ~60 % numeric (with ranges, bounds and periods) and 40 % qualitative,
  summaries of ~12 words and quotes of ~35 words drawn from a Zipf vocabulary,
  so that text search has common and rare words; some speakers; numeric
  claims on popular (entity, metric, period) groups disagree, so conflicts exist.

Deterministic for a given seed and size, so runs compare. Files are written
with plain string formatting (JSON strings are valid YAML double-quoted
scalars), which is what makes a million claims take seconds rather than minutes.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import shutil
import sys
import time
from pathlib import Path

import yaml

BASE_TOPICS = Path(__file__).resolve().parents[1] / "data" / "topics.yaml"
METRICS = [
    ("employees-cut", "employees", (100, 30_000)),
    ("workforce-cut-pct", "percent", (1, 30)),
    ("ai-capex-usd", "USD", (1e9, 2e11)),
    ("capex-usd", "USD", (1e9, 8e11)),
    ("ai-job-openings", "openings", (50, 5_000)),
    ("operating-loss-usd", "USD", (1e8, 2e10)),
    ("severance-weeks", "weeks", (4, 26)),
]
STATUSES = ["reported"] * 6 + ["estimated"] * 2 + ["projected", "planned", "possible", "opinion", "confirmed"]
BOUNDS = ["exact"] * 5 + ["approx"] * 3 + ["at-least", "at-most"]
FLAGS = ["no-byline", "anonymous-sourcing", "secondary-reporting", "unverified-figures", "ai-assisted"]
KINDS = ["news"] * 6 + ["analysis", "blog", "press-release", "filing"]
DOMAIN = [
    "layoffs",
    "cuts",
    "jobs",
    "workforce",
    "headcount",
    "ai",
    "infrastructure",
    "capex",
    "data",
    "centers",
    "gpu",
    "compute",
    "spending",
    "billion",
    "million",
    "efficiency",
    "restructuring",
    "teams",
    "engineers",
    "investors",
    "margins",
    "cloud",
    "model",
    "training",
    "inference",
    "energy",
    "chips",
    "hiring",
    "severance",
    "revenue",
    "growth",
    "strategy",
    "automation",
    "agents",
    "assistants",
    "productivity",
    "reorganisation",
    "managers",
    "pods",
    "research",
    "annotation",
    "operations",
]
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "ne",
    "ni",
    "no",
    "ra",
    "re",
    "ri",
    "ro",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "va",
    "ve",
    "vi",
    "vo",
    "za",
    "zo",
]


class Zipf:
    """Draw indexes 0..n-1 with probability ~ 1/(i+1)^s (a few dominate, a long tail)."""

    def __init__(self, n: int, s: float, rng: random.Random):
        self.rng = rng
        weights = [1.0 / (i + 1) ** s for i in range(n)]
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self) -> int:
        return bisect.bisect_left(self.cum, self.rng.random() * self.total)


def q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def generate(out: Path, n_claims: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    n_entities = max(20, n_claims // 200)
    n_sources = max(5, n_claims // 10)
    if out.exists():
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)

    vocab = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(20_000)]
    for w in DOMAIN:  # the domain words are common, but not the very commonest
        vocab.insert(rng.randint(5, 400), w)
    word = Zipf(len(vocab), 1.1, rng)

    def words(n: int) -> str:
        return " ".join(vocab[word()] for _ in range(n))

    # entities ---------------------------------------------------------------
    names: set[str] = set()
    ents = []
    for i in range(n_entities):
        while True:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()
            if name not in names:
                names.add(name)
                break
        slug = f"{name.lower()}-{i}"
        ents.append((slug, f"{name} Corp", [name, f"{name.upper()[:4]}{i}"]))
    with open(out / "entities.yaml", "w", encoding="utf-8") as fh:
        fh.write("entities:\n")
        for slug, name, aliases in ents:
            fh.write(
                f"  - id: {slug}\n    name: {q(name)}\n    kind: company\n    aliases: [{', '.join(q(a) for a in aliases)}]\n"
            )
    entity = Zipf(n_entities, 1.05, rng)

    # topics -------------------------------------------------------------------
    base = yaml.safe_load(BASE_TOPICS.read_text(encoding="utf-8"))["topics"]
    topics = [t["id"] for t in base] + [f"topic-{i}" for i in range(40)]
    with open(out / "topics.yaml", "w", encoding="utf-8") as fh:
        fh.write("topics:\n")
        for i, t in enumerate(topics):
            label = next((b["label"] for b in base if b["id"] == t), t.replace("-", " ").title())
            fh.write(f"  - {{id: {t}, label: {q(label)}, order: {(i + 1) * 10}}}\n")
    topic = Zipf(len(topics), 0.9, rng)
    publishers = [f"{words(1).title()} {rng.choice(['Times', 'Post', 'Wire', 'Daily', 'Review', 'Insider'])}" for _ in range(400)]
    publisher = Zipf(len(publishers), 1.0, rng)
    speakers = [f"{words(1).title()} {words(1).title()}, {publishers[i % len(publishers)]}" for i in range(2_000)]

    # sources and claims ----------------------------------------------------------
    written = 0
    claim_no = 0
    truth: dict[tuple, float] = {}
    for s in range(n_sources):
        remaining_sources = n_sources - s
        left = n_claims - written
        k = left if remaining_sources == 1 else max(1, min(left - (remaining_sources - 1), rng.randint(4, 16)))
        sid = f"src-{s:06d}"
        flags = rng.sample(FLAGS, rng.choice([0, 0, 0, 1, 1, 2]))
        lines = [
            f"id: {sid}",
            f"title: {q(words(rng.randint(6, 12)).capitalize())}",
            f"publisher: {q(publishers[publisher()])}" if rng.random() < 0.85 else "publisher: null",
            f'published: "20{rng.randint(20, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"'
            if rng.random() < 0.8
            else "published: null",
            f"kind: {rng.choice(KINDS)}",
            f"flags: [{', '.join(flags)}]",
            "claims:",
        ]
        for _ in range(k):
            claim_no += 1
            e = ents[entity()][0]
            lines += [
                f"  - id: c{claim_no:07d}",
                f"    entity: {e}",
                f"    topic: {topics[topic()]}",
                f"    summary: {q(words(rng.randint(8, 16)).capitalize() + '.')}",
                f"    quote: {q(words(rng.randint(20, 50)).capitalize() + '.')}",
                f"    status: {rng.choice(STATUSES)}",
            ]
            if rng.random() < 0.6:
                m = min(int(rng.expovariate(0.6)), len(METRICS) - 1)
                metric, unit, (lo, hi) = METRICS[m]
                period = rng.choice(["2024", "2025", "2026", "2026", "2026"])
                # sources mostly agree on a group's figure (within a few %); one in eight is an outlier
                key = (e, m, period)
                if key not in truth:
                    truth[key] = rng.uniform(lo, hi)
                v = truth[key] * (rng.uniform(0.95, 1.05) if rng.random() > 0.125 else rng.uniform(0.3, 2.5))
                v = float(f"{v:.2g}")
                if rng.random() < 0.2:
                    value = f"[{v:.0f}, {v * rng.uniform(1.05, 1.5):.0f}]"
                else:
                    value = f"{v:.0f}"
                lines += [f"    metric: {metric}", f"    value: {value}", f"    unit: {unit}"]
                bound = rng.choice(BOUNDS)
                if bound != "exact":
                    lines.append(f"    bound: {bound}")
                lines.append(f'    period: "{period}"')
            if rng.random() < 0.15:
                lines.append(f"    speaker: {q(rng.choice(speakers))}")
        (out / "sources" / f"{sid}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        written += k
    return {"entities": n_entities, "sources": n_sources, "topics": len(topics), "claims": written}


def extra_source(out: Path, name: str, n_claims: int = 12, seed: int = 99) -> Path:
    """One more source file for an existing synthetic corpus (the incremental-rebuild benchmark)."""
    rng = random.Random(seed)
    ents = yaml.safe_load((out / "entities.yaml").read_text(encoding="utf-8"))["entities"][:50]
    path = out / "sources" / f"{name}.yaml"
    lines = [f"id: {name}", f"title: {q('An added article ' + name)}", "kind: news", "claims:"]
    for i in range(n_claims):
        lines += [
            f"  - id: {name}-c{i}",
            f"    entity: {rng.choice(ents)['id']}",
            "    topic: job-cuts",
            f"    summary: {q('Added claim number ' + str(i))}",
            f"    quote: {q('Words of the added article, claim ' + str(i))}",
            "    status: reported",
            "    metric: employees-cut",
            f"    value: {rng.randint(100, 20_000)}",
            "    unit: employees",
            '    period: "2026"',
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    shape = generate(args.out, args.claims, args.seed)
    print(f"wrote {shape} to {args.out} in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
