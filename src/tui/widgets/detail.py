"""The detail pane's content: one claim, its source and what other sources say."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from tui.store import db
from tui.store.export import value_text
from tui.store.fmt import BOUND_WORD, safe_text

FLAG_WARNINGS = {
    "ai-assisted": "the article says it was written with AI assistance",
    "anonymous-sourcing": "relies on anonymous sources",
    "composite-examples": "presents invented 'realistic composite' examples",
    "no-byline": "no byline",
    "secondary-reporting": "repeats another outlet's report",
    "unverified-figures": "the article itself hedges its figures",
}


def _field(label: str, value, style: str = "") -> Text:
    text = Text()
    text.append(f"{label}: ", style="bold")
    text.append(safe_text("—" if value in (None, "") else str(value)), style=style)
    return text


def claim_detail(row, source, related: list[db.Related]) -> Group:
    """Everything a reader needs to cite or doubt one claim. All corpus text goes in as Text."""
    parts: list[Text] = []
    title = Text(safe_text(row["summary"]), style="bold")
    parts.append(title)
    value = value_text(row)
    if value:
        v = Text()
        v.append("Value: ", style="bold")
        v.append(safe_text(value), style="bold red" if row["conflict_count"] else "bold")
        v.append(f"  ({BOUND_WORD.get(row['bound'], row['bound'])}, {safe_text(row['status'])}", style="")
        v.append(f", period {safe_text(row['period'])})" if row["period"] else ", no period given)")
        if row["conflict_count"]:
            v.append("  ⚠ disputed by another source", style="bold red")
        parts.append(v)
    else:
        parts.append(_field("Status", row["status"]))
    parts.append(_field("Entity · topic", f"{row['entity_name']} · {row['topic_label']}"))
    quote = Text()
    quote.append("Quote: ", style="bold")
    quote.append("“" + safe_text(row["quote"]) + "”", style="italic")
    parts.append(quote)
    if row["speaker"]:
        parts.append(_field("Speaker", row["speaker"]))
    source_part: list[Text] = []
    if row["note"]:
        source_part.append(_field("Note", row["note"], "dim"))
    if source is not None:
        s = Text()
        s.append("Source: ", style="bold")
        s.append(safe_text(source["title"]))
        meta = [x for x in (source["publisher"], source["author"] and f"by {source['author']}", source["published"], source["kind"]) if x]
        s.append("  (" + safe_text(", ".join(meta)) + ")", style="dim")
        source_part.append(s)
        for flag in db.flags_of(source):
            source_part.append(Text("  ⚠ " + flag + ": " + FLAG_WARNINGS.get(flag, ""), style="bold yellow"))
    others: list[Text] = []
    if related:
        others.append(Text("What other sources say", style="bold underline"))
        for r in related:
            line = Text()
            line.append("  ⚠ disagrees  " if r.conflicts else "  ", style="bold red")
            v = value_text(r.row)
            if v:
                line.append(safe_text(v) + "  ", style="bold red" if r.conflicts else "bold")
            line.append(safe_text(r.row["summary"]))
            src = r.row["publisher"] or r.row["source_title"]
            line.append(f"  — {safe_text(src)}", style="dim")
            if r.row["metric"] and not r.same_period:
                line.append(f" (period {safe_text(r.row['period'] or 'not given')})", style="dim italic")
            others.append(line)
    else:
        others.append(Text("No other source speaks to this.", style="dim italic"))
    # a disputed figure shows the disagreement first, before its provenance
    blocks = [others, source_part] if row["conflict_count"] else [source_part, others]
    for block in blocks:
        parts.append(Text())
        parts.extend(block)
    return Group(*parts)
