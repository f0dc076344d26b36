"""The data layer: load and validate YAML, build SQLite, query, export. No Textual here.

Names are imported on first use: opening the explorer on an existing store needs
`db`, `locate`, `pool` and `refresh`, not the YAML loader or sqlite-utils (they cost start-up time).
"""

from __future__ import annotations

import importlib

_WHERE = {
    "BuildReport": "build",
    "build_store": "build",
    "find_conflicts": "build",
    "load_corpus": "load",
    "verify_quotes": "quotes",
    "StoreError": "errors",
    "default_data_dir": "locate",
    "default_db_path": "locate",
    "ensure_store": "refresh",
    "open_readonly": "locate",
    "Claim": "model",
    "Corpus": "model",
    "CorpusError": "model",
    "Entity": "model",
    "Problem": "model",
    "Source": "model",
    "Topic": "model",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
