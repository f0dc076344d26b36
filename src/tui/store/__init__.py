"""The data layer: load and validate YAML, build SQLite, query, export. No Textual here."""

from .build import BuildReport, build_store, find_conflicts
from .load import load_corpus, verify_quotes
from .locate import StoreError, default_data_dir, default_db_path, ensure_store, open_readonly
from .model import Claim, Corpus, CorpusError, Entity, Problem, Source, Topic

__all__ = [
    "BuildReport", "Claim", "Corpus", "CorpusError", "Entity", "Problem", "Source", "StoreError", "Topic",
    "build_store", "default_data_dir", "default_db_path", "ensure_store", "find_conflicts",
    "load_corpus", "open_readonly", "verify_quotes",
]
