"""The corpus's vocabularies: entity kinds, statuses, provenance flags...

Apart from tui.store.model (which re-exports them) so that the explorer's filter language and
query bar have them without creating the corpus's record classes (dataclasses cost start-up time).
"""

from __future__ import annotations

ENTITY_KINDS = ("company", "group", "industry", "event", "division")
SOURCE_KINDS = ("news", "analysis", "blog", "press-release", "filing")
STATUSES = ("confirmed", "reported", "estimated", "projected", "planned", "possible", "opinion", "illustrative")
POSITIONS = ("for", "against")  # a claim's stance on a proposition
BOUNDS = ("exact", "approx", "at-least", "at-most")
# provenance flags, and what each warns a reader of (the detail pane says it in these words)
FLAG_WARNINGS = {
    "ai-assisted": "the article says it was written with AI assistance",
    "anonymous-sourcing": "relies on anonymous sources",
    "composite-examples": "presents invented 'realistic composite' examples",
    "no-byline": "no byline",
    "secondary-reporting": "repeats another outlet's report",
    "unverified-figures": "the article itself hedges its figures",
}
FLAGS = tuple(FLAG_WARNINGS)
