"""Tests for claims.reading: cutting a body into blocks and segments for the reading view.

Offsets are code points; the bodies below mix emoji and accented letters on purpose, because a
UTF-16 count would put every boundary after them one place off.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.reading import (
    Block,
    Span,
    group_parts,
    layout_of,
    placed,
    render_blocks,
    segment,
    tail,
)

BODY = "First paragraph here.\n\nSecond one, longer.\n\n- item a\n\n- item b"


def texts(segments):
    return [(s.text, s.claims) for s in segments]


def test_plain_text_is_one_segment_without_claims():
    assert texts(segment("abcdef", 0, 6, [])) == [("abcdef", ())]


def test_a_claim_cuts_the_text_at_both_ends():
    assert texts(segment("abcdef", 0, 6, [Span(1, 2, 4)])) == [
        ("ab", ()),
        ("cd", (1,)),
        ("ef", ()),
    ]


def test_nested_claims_list_outermost_first():
    # 1 covers "bcde", 2 covers "cd" inside it.
    result = segment("abcdef", 0, 6, [Span(2, 2, 4), Span(1, 1, 5)])
    assert texts(result) == [("a", ()), ("b", (1,)), ("cd", (1, 2)), ("e", (1,)), ("f", ())]
    assert [s.depth for s in result] == [0, 1, 2, 1, 0]
    assert result[2].innermost == 2


def test_overlapping_claims_split_into_three_runs():
    # 1 = "abcd", 2 = "cdef": "ab" only 1, "cd" both, "ef" only 2.
    result = segment("abcdef", 0, 6, [Span(1, 0, 4), Span(2, 2, 6)])
    assert texts(result) == [("ab", (1,)), ("cd", (1, 2)), ("ef", (2,))]
    assert [s.begins for s in result] == [(1,), (2,), ()]


def test_claims_starting_together_put_the_longer_one_outside():
    result = segment("abcdef", 0, 6, [Span(7, 0, 2), Span(8, 0, 5)])
    assert texts(result) == [("ab", (8, 7)), ("cde", (8,)), ("f", ())]
    assert result[0].begins == (8, 7)


def test_offsets_are_code_points_not_utf16_units():
    body = "😀 Iran’s café said “no”."
    start = body.index("café")
    span = Span(1, start, start + len("café said"))
    result = segment(body, 0, len(body), [span])
    assert result[1].text == "café said"
    assert "".join(s.text for s in result) == body


def test_layout_without_blocks_falls_back_to_paragraphs():
    blocks = layout_of(BODY, [])
    assert [BODY[b.start : b.end] for b in blocks] == [
        "First paragraph here.",
        "Second one, longer.",
        "- item a",
        "- item b",
    ]
    assert {b.kind for b in blocks} == {"paragraph"}


def test_stored_blocks_are_clipped_to_the_body():
    blocks = layout_of("short", [{"kind": "paragraph", "start": 0, "end": 99}])
    assert (blocks[0].start, blocks[0].end) == (0, 5)


def test_heading_levels_map_to_h2_and_h3():
    assert Block("heading", 2, 0, 1).tag == "h2"
    assert Block("heading", 3, 0, 1).tag == "h3"
    assert Block("heading", 1, 0, 1).tag == "h2"  # h1 is the page title
    assert Block("item", 0, 0, 1).tag == "li"
    assert Block("paragraph", 0, 0, 1).tag == "p"


def test_a_claim_across_two_blocks_begins_only_once():
    second = BODY.index("Second")
    span = Span(5, BODY.index("here"), second + len("Second"))
    blocks = render_blocks(BODY, [], [span])
    first_pieces = [s for s in blocks[0].segments if s.claims]
    second_pieces = [s for s in blocks[1].segments if s.claims]
    assert [s.text for s in first_pieces] == ["here."]
    assert [s.text for s in second_pieces] == ["Second"]
    assert first_pieces[0].begins == (5,)
    assert second_pieces[0].begins == ()
    assert placed(blocks) == {5}


def test_spans_outside_the_body_are_ignored():
    blocks = render_blocks("abc", [], [Span(1, 2, 40), Span(2, 0, 1)])
    assert placed(blocks) == {2}


def test_consecutive_items_become_one_list():
    layout = [
        {"kind": "heading", "level": 2, "start": 0, "end": 5},
        {"kind": "item", "level": 0, "start": 7, "end": 9},
        {"kind": "item", "level": 0, "start": 11, "end": 13},
        {"kind": "paragraph", "level": 0, "start": 15, "end": 17},
    ]
    body = "Title\n\nab\n\ncd\n\nef"
    parts = group_parts(render_blocks(body, layout, []))
    assert [(p.kind, len(p.blocks)) for p in parts] == [
        ("heading", 1),
        ("list", 2),
        ("paragraph", 1),
    ]
    assert parts[1].is_list


def reassembled(body: str, blocks) -> str:
    """What the reading view prints: each block's `before`, its segments, then the tail."""
    text = "".join(b.before + "".join(s.text for s in b.segments) for b in blocks)
    return text + tail(body, blocks)


def test_the_text_between_blocks_is_kept():
    blocks = render_blocks(BODY, [], [Span(1, 3, 30)])
    assert [b.before for b in blocks] == ["", "\n\n", "\n\n", "\n\n"]
    assert reassembled(BODY, blocks) == BODY
    assert tail("  only gaps \n", []) == "  only gaps \n"


def test_overlapping_stored_blocks_print_each_character_once():
    body = "abcdefghij"
    layout = [
        {"kind": "paragraph", "start": 0, "end": 6},
        {"kind": "heading", "level": 2, "start": 4, "end": 8},
        {"kind": "paragraph", "start": 5, "end": 7},  # inside both: nothing left of it
        {"kind": "item", "start": 9, "end": 10},
    ]
    blocks = render_blocks(body, layout, [])
    assert [(b.kind, b.start, b.end, b.before) for b in blocks] == [
        ("paragraph", 0, 6, ""),
        ("heading", 6, 8, ""),
        ("item", 9, 10, "i"),
    ]
    assert reassembled(body, blocks) == body


@settings(max_examples=300, deadline=None)
@given(
    body=st.text(alphabet="ab \n\r\t😀é", min_size=1, max_size=40),
    raw=st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45)), max_size=6),
    spans=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=5),
)
def test_the_printed_text_is_always_the_body(body, raw, spans):
    layout = [{"kind": "paragraph", "start": s, "end": e} for s, e in raw]
    claims = [Span(n, s, e) for n, (s, e) in enumerate(spans)]
    for stored in (layout, []):
        assert reassembled(body, render_blocks(body, stored, claims)) == body
