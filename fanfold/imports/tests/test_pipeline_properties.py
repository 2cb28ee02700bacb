"""Property tests over the whole pipeline: detection, parsing and mapping never crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fanfold.imports.mapping import to_draft
from fanfold.imports.parsed import ImportFailed
from fanfold.imports.services import parse_bytes

HEADER_KEYS = ["Title", "Author", "Pairing", "Rating", "Genre", "Warnings", "Fandom", "Characters", "Summary"]

header_line = st.builds(
    "{}:{}{}".format,
    st.sampled_from(HEADER_KEYS),
    st.sampled_from([" ", "\u00a0 ", ""]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40),
)
fic_like = st.builds(
    lambda header, body: "\n".join(header) + "\n\n" + body,
    st.lists(header_line, max_size=8),
    st.text(max_size=400),
)


def import_or_refuse(data: bytes, index) -> None:
    try:
        parsed = parse_bytes(data, "fuzz.txt")
    except ImportFailed as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    draft = to_draft(parsed, index)
    assert draft.title and draft.rating and draft.warnings
    assert all(len(name) <= 150 and "," not in name for name in draft.additional_tags + draft.relationships)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_are_imported_or_refused_cleanly(starter_index, data):
    import_or_refuse(data, starter_index)


@settings(max_examples=150, deadline=None)
@given(fic_like)
def test_header_like_text_is_imported_or_refused_cleanly(starter_index, text):
    import_or_refuse(text.encode("utf-8", "surrogatepass"), starter_index)
