"""The store's tables and indexes, and their version: the one place the schema is written.

Kept apart from the build code (and free of imports) so that opening a store, which
needs only SCHEMA_VERSION, does not import sqlite-utils or the YAML loader.

Columns of `claims` beyond the contract's fields are derived by the agreement
model (store/agreement/): `qentity` (the entity a figure is about: an event's
parent company), `qunit` and `qperiod` (unit and period normalised as stated),
`presumed_period` (the year of the source's date where no period is stated),
the source's date (`source_date`, `date_as_of` when it comes from a dated lead)
and its name in reasons (`source_label`), the claim's positions (`stances`, also
in the `stances` table), the counts of other sources' claims that contradict or
oppose / are at odds with / revise or are revised by / differ from / agree with
the claim, the distinct sources that agree and that state the same quantity, the
claim's summary `relation`, and the check of a group's figure against its
members' sum.
"""

SCHEMA_VERSION = 11  # bump when the tables change: older stores are rebuilt by themselves

SCHEMA = """
CREATE TABLE pivot_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entities (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
  parent TEXT REFERENCES entities(id), ticker TEXT, aliases TEXT, members TEXT,
  claim_count INTEGER NOT NULL DEFAULT 0, conflict_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entity_names (
  entity TEXT NOT NULL REFERENCES entities(id), name TEXT NOT NULL, PRIMARY KEY (name, entity)
) WITHOUT ROWID;
CREATE TABLE topics (
  id TEXT PRIMARY KEY, label TEXT NOT NULL, "order" INTEGER NOT NULL, description TEXT,
  claim_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sources (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, author TEXT, published TEXT,
  url TEXT, kind TEXT NOT NULL, document TEXT, flags TEXT, notes TEXT, file TEXT,
  claim_count INTEGER NOT NULL DEFAULT 0, conflict_count INTEGER NOT NULL DEFAULT 0, as_of TEXT
);
CREATE TABLE propositions (
  id TEXT PRIMARY KEY, text TEXT NOT NULL, entity TEXT REFERENCES entities(id), topic TEXT REFERENCES topics(id), note TEXT
);
CREATE TABLE stances (
  claim TEXT NOT NULL, proposition TEXT NOT NULL REFERENCES propositions(id), position TEXT NOT NULL,
  PRIMARY KEY (proposition, claim)
) WITHOUT ROWID;
CREATE TABLE source_flags (
  source TEXT NOT NULL REFERENCES sources(id), flag TEXT NOT NULL, PRIMARY KEY (flag, source)
) WITHOUT ROWID;
CREATE TABLE source_files (
  file TEXT PRIMARY KEY, source TEXT, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL,
  ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL
);
CREATE TABLE facet_counts (
  facet TEXT NOT NULL, value TEXT, n INTEGER NOT NULL, PRIMARY KEY (facet, value)
);
CREATE TABLE claims (
  rowid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL REFERENCES sources(id),
  entity TEXT NOT NULL REFERENCES entities(id),
  topic TEXT NOT NULL REFERENCES topics(id),
  summary TEXT NOT NULL, quote TEXT NOT NULL,
  metric TEXT, value_low REAL, value_high REAL, unit TEXT, bound TEXT NOT NULL DEFAULT 'exact',
  period TEXT, status TEXT NOT NULL, speaker TEXT, note TEXT, draft INTEGER NOT NULL DEFAULT 0,
  source_title TEXT NOT NULL,
  qentity TEXT NOT NULL, qunit TEXT, qperiod TEXT,
  lo_eff REAL, hi_eff REAL,
  presumed_period TEXT, source_date TEXT, date_as_of INTEGER NOT NULL DEFAULT 0, source_label TEXT, stances TEXT,
  conflict_count INTEGER NOT NULL DEFAULT 0,
  odds_count INTEGER NOT NULL DEFAULT 0,
  revise_count INTEGER NOT NULL DEFAULT 0,
  differ_count INTEGER NOT NULL DEFAULT 0,
  agree_count INTEGER NOT NULL DEFAULT 0,
  agree_sources INTEGER NOT NULL DEFAULT 0,
  quantity_sources INTEGER NOT NULL DEFAULT 0,
  relation TEXT,
  group_relation TEXT, group_reason TEXT, group_low REAL, group_high REAL,
  oppose_count INTEGER NOT NULL DEFAULT 0, concur_count INTEGER NOT NULL DEFAULT 0, position_relation TEXT,
  standing TEXT,
  table_name TEXT, table_row TEXT,
  scope TEXT
);
"""

# The registry of quantities (data/metrics.yaml), created by store/metrics.insert_metrics;
# words and opposites (`not:`) as JSON lists.
METRICS_SQL = """CREATE TABLE metrics (
  id TEXT PRIMARY KEY, label TEXT NOT NULL, unit TEXT NOT NULL, counts TEXT, words TEXT, opposites TEXT, topic TEXT
)"""

# the columns the agreement model writes (a recount updates only these), in the order of
# agreement.Stored
AGREEMENT_FIELDS = (
    "conflict_count",
    "odds_count",
    "revise_count",
    "differ_count",
    "agree_count",
    "agree_sources",
    "quantity_sources",
    "relation",
    "group_relation",
    "group_reason",
    "group_low",
    "group_high",
    "oppose_count",
    "concur_count",
    "position_relation",
    "standing",
)

# the columns of `claims` a build inserts, in this order (the agreement model's last)
CLAIM_FIELDS = (
    "id",
    "source",
    "entity",
    "topic",
    "summary",
    "quote",
    "metric",
    "value_low",
    "value_high",
    "unit",
    "bound",
    "period",
    "status",
    "speaker",
    "note",
    "draft",
    "source_title",
    "qentity",
    "qunit",
    "qperiod",
    "lo_eff",
    "hi_eff",
    "presumed_period",
    "source_date",
    "date_as_of",
    "source_label",
    "stances",
    *AGREEMENT_FIELDS,
    "table_name",
    "table_row",
    "scope",
)

# The shape sqlite-utils' enable_fts() creates (Datasette recognises it by `content=[claims]`),
# plus two- and three-letter prefix indexes, so that the first letters typed in the query bar
# read one index entry instead of merging the lists of every word they begin.
FTS_SQL = (
    "CREATE VIRTUAL TABLE [claims_fts] USING FTS5 ([summary], [quote], [speaker], [source_title], prefix='2 3', content=[claims])"
)

# Every word of the text index, so that a word being typed ("layoffs" as a prefix) can be
# expanded into the few words it begins ("layoffs" OR "layoffs'"), which FTS5 walks in rowid
# order and stops after one page, instead of merging the whole of each word's list first.
# Words that later leave the index stay listed: expanding to a word with no rows is harmless.
TERMS_SQL = "CREATE TABLE fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID"

# The compare grid's (store/grid.py): its skeleton (every row and count of an entity, and
# whether a cell is in conflict) read from one partial covering index of the reviewed claims,
# never their rows; and the few claims that are cells of an article's own table.
GRID_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS claims_grid ON claims (qentity, topic, metric, qunit, value_low, value_high, bound, "
    "qperiod, presumed_period, relation, standing, source, unit, scope, draft) WHERE draft = 0",
    "CREATE INDEX IF NOT EXISTS claims_table_cells ON claims (qentity, topic, table_row) WHERE table_row IS NOT NULL",
)

INDEXES = [
    ("claims", ("entity",)),
    ("claims", ("source",)),
    ("claims", ("topic",)),
    ("claims", ("metric",)),
    ("claims", ("period",)),
    ("claims", ("status",)),
    ("claims", ("unit",)),
    ("claims", ("speaker",)),
    ("claims", ("value_low",)),
    ("claims", ("value_high",)),
    ("claims", ("relation",)),
    ("claims", ("standing",)),
    ("claims", ("qentity",)),
    ("claims", ("entity", "topic")),
    ("claims", ("qentity", "topic")),
    ("claims", ("qentity", "metric", "qunit")),
    ("entity_names", ("entity",)),
    ("source_flags", ("source",)),
    ("entities", ("parent",)),
    ("sources", ("claim_count",)),
    ("sources", ("published",)),
    ("stances", ("claim",)),
]
