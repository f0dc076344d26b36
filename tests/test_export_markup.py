"""md() looks for a possible autolink with a quick scan before it escapes one (issue 23: the
escaping was a fifth of the Markdown export and of the disputes report): the quick scan
must never skip a text the escaping would change. And it escapes Markdown's characters
one by one with str.replace (the backslash first), as one translate did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.store.export import markup
from tui.store.fmt import safe_text

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~#!"})  # each gets a backslash before it


def _md_escaping_always(text: str) -> str:
    """md() as it was: Markdown's characters escaped by one translate, the autolink escaping
    run on every text with one of : / @ ."""
    out = safe_text(" ".join(str(text).split()))
    out = out.translate(_MD_SPECIAL)
    if "&" in out:
        out = markup._MD_ENTITY.sub(markup._escaped, out)
    if ":" in out or "/" in out or "@" in out or "." in out:
        out = markup._MD_AUTOLINK.sub(markup._escaped, out)
    return out


LINKISH = [
    "see https://example.com/x",
    "//cdn.example.net",
    "mail ceo@meta.com now",
    "WWW.Example",
    "www.example.org",
    "a.b",
    "1.5 billion",
    "U.S. revenue",
    "e.g. Meta",
    "file.tar.gz",
    "ratio 3:2",
    "a/b testing",
    "end.",
    "x.COM",
    "café.fr",
    "dot.éa",
    "v1.2b",
    "wwww.x",
    "_www.x",
]


def test_every_linkish_text_is_escaped_as_before() -> None:
    for text in LINKISH:
        assert markup.md(text) == _md_escaping_always(text), text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aAwW.:/@ 1_é-comnetorg#&;|`")), max_size=30))
def test_the_quick_scan_never_skips_an_autolink(text: str) -> None:
    assert markup.md(text) == _md_escaping_always(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("\\`*_[]<>|~#!ab .&;")), max_size=30))
def test_markdown_characters_are_escaped_as_one_translate_did(text: str) -> None:
    assert markup.md(text) == _md_escaping_always(text)
