"""The floor of a full build: libyaml's CSafeLoader parsing every file of a corpus, on all
cores, doing nothing with the result (benchmarks/run.py times it beside `pivot build --full`).

    python benchmarks/parse_floor.py CORPUS_DIR
"""

from __future__ import annotations

import os
import sys
from multiprocessing import Pool
from pathlib import Path

import yaml


def parse(paths: list[str]) -> int:
    n = 0
    for p in paths:
        with open(p, "rb") as fh:
            doc = yaml.load(fh, Loader=yaml.CSafeLoader)
        n += len(doc.get("claims", []) or []) if isinstance(doc, dict) else 0
    return n


def main(argv: list[str]) -> int:
    root = Path(argv[0])
    files = sorted(str(p) for p in (root / "sources").rglob("*.yaml"))
    files += [str(root / "entities.yaml"), str(root / "topics.yaml")]
    cores = os.cpu_count() or 1
    chunks = [files[i :: cores * 8] for i in range(cores * 8)]
    with Pool(cores) as pool:
        claims = sum(pool.map(parse, chunks))
    print(f"{len(files)} files, {claims} claims")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
