"""Tests for claims.anchoring: spans, quote lookup and re-anchoring after edits.

Offsets are worked out by hand in the comments; every one is a count of code points.
"""

import pytest

from claims.anchoring import (
    CONTEXT_LENGTH,
    Anchor,
    AnchorError,
    AnchorState,
    Reanchoring,
    check_span,
    find_all,
    locate_quote,
    make_anchor,
    normalize_newlines,
    reanchor,
)

# "Officials met on Monday. " is 25 code points and "The minister said " 18 more, so the
# quote starts at 43; "the talks were productive" is 25 long and ends at 68. What follows is
# ". Nothing else was agreed before" (exactly 32) and " the delegations left Geneva.".
BODY = (
    "Officials met on Monday. The minister said the talks were productive. "
    "Nothing else was agreed before the delegations left Geneva."
)
QUOTE = "the talks were productive"


def claim() -> Anchor:
    """The anchor of QUOTE in BODY."""
    return make_anchor(BODY, 43, 68)


def assert_consistent(result: Reanchoring, new_body: str) -> None:
    """A found anchor must describe the (normalised) new body exactly."""
    assert result.anchor is not None
    anchor = result.anchor
    assert anchor == make_anchor(normalize_newlines(new_body), anchor.start, anchor.end)


# --- normalize_newlines -------------------------------------------------------------------


def test_normalize_newlines_turns_crlf_and_lone_cr_into_lf() -> None:
    assert normalize_newlines("a\r\nb\rc\nd\r\n\r\n") == "a\nb\nc\nd\n\n"


# --- make_anchor ----------------------------------------------------------------------------


def test_make_anchor_slices_quote_and_32_code_points_of_context() -> None:
    anchor = claim()
    assert anchor.quote == QUOTE
    # 43 - 32 = 11: the prefix starts at the "e" of "met".
    assert anchor.prefix == "et on Monday. The minister said "
    assert anchor.suffix == ". Nothing else was agreed before"
    assert len(anchor.prefix) == len(anchor.suffix) == CONTEXT_LENGTH


def test_make_anchor_at_body_start_has_empty_prefix() -> None:
    anchor = make_anchor(BODY, 0, 9)
    assert anchor == Anchor(0, 9, "Officials", "", " met on Monday. The minister sai")


def test_make_anchor_at_body_end_has_short_then_empty_suffix() -> None:
    end = len(BODY)
    assert make_anchor(BODY, end - 7, end - 1).suffix == "."
    last = make_anchor(BODY, end - 7, end)
    assert last.quote == "Geneva."
    assert last.suffix == ""


# --- check_span -----------------------------------------------------------------------------


def test_check_span_accepts_a_valid_span_with_or_without_quote() -> None:
    check_span(BODY, 43, 68)
    check_span(BODY, 43, 68, QUOTE)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("43", 68, "start must be an integer, not str"),
        (43, 68.0, "end must be an integer, not float"),
        (True, 68, "start must be an integer, not bool"),
        (-1, 68, "start must not be negative (got -1)"),
        (43, 43, "start must be less than end (got start=43, end=43)"),
        (68, 43, "start must be less than end (got start=68, end=43)"),
        (43, 500, "end must not exceed the body length 129 (got 500)"),
    ],
)
def test_check_span_rejects_bad_offsets(start: object, end: object, message: str) -> None:
    with pytest.raises(AnchorError) as raised:
        check_span(BODY, start, end)  # type: ignore[arg-type]
    assert str(raised.value) == message


def test_check_span_rejects_a_quote_that_differs_from_the_span() -> None:
    with pytest.raises(AnchorError, match=r"quote does not match body\[43:68\]"):
        check_span(BODY, 43, 68, "the talks were fruitful")


def test_check_span_rejects_a_whitespace_only_span() -> None:
    body = "one \n\t two"
    with pytest.raises(AnchorError, match="span must not be only whitespace"):
        check_span(body, 3, 7)


def test_anchor_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        make_anchor(BODY, 5, 2)


# --- find_all and locate_quote -------------------------------------------------------------


def test_find_all_includes_overlapping_matches() -> None:
    assert find_all("aaaa", "aa") == [0, 1, 2]
    assert find_all("banana", "ana") == [1, 3]
    assert find_all("banana", "kiwi") == []


def test_find_all_rejects_an_empty_quote() -> None:
    with pytest.raises(AnchorError, match="quote must not be empty"):
        find_all("banana", "")


def test_locate_quote_finds_a_unique_quote() -> None:
    assert locate_quote(BODY, QUOTE) == claim()


def test_locate_quote_reports_a_missing_quote() -> None:
    with pytest.raises(AnchorError, match="quote not found: 'the talks failed'"):
        locate_quote(BODY, "the talks failed")


def test_locate_quote_reports_an_ambiguous_quote_with_its_offsets() -> None:
    # "the" occurs in "the talks" (43) and "the delegations" (70 + "Nothing else was agreed
    # before " = 101); the capital in "The minister" does not match.
    with pytest.raises(AnchorError, match=r"quote is ambiguous: found 2 times \(at 43, 101\)"):
        locate_quote(BODY, "the")


def test_locate_quote_shortens_long_quotes_in_messages() -> None:
    with pytest.raises(AnchorError) as raised:
        locate_quote(BODY, "word " * 100)
    message = str(raised.value)
    assert message.startswith("quote not found: 'word word")
    assert "…" in message
    assert len(message) < 100


# --- code points, not UTF-16 units ----------------------------------------------------------


def test_offsets_count_an_emoji_as_one_code_point() -> None:
    body = "😀 " + "text"
    # One code point in Python, two UTF-16 units: the span starts at 2, not 3.
    assert len("😀") == 1
    assert len("😀".encode("utf-16-le")) // 2 == 2
    assert make_anchor(body, 2, 6).quote == "text"
    assert locate_quote(body, "text") == Anchor(2, 6, "text", "😀 ", "")


def test_offsets_after_flags_and_mathematical_letters() -> None:
    # Each flag is two regional-indicator code points: 4 + " " + "talks:" + " " = 12.
    flags = "🇮🇷🇷🇺 talks: agreed"
    assert (locate_quote(flags, "agreed").start, locate_quote(flags, "agreed").end) == (12, 18)
    # "𝐀𝐁𝐂" is three code points (six UTF-16 units): 3 + " said " = 9.
    letters = "𝐀𝐁𝐂 said yes"
    assert locate_quote(letters, "yes").start == 9


def test_reanchor_after_inserting_an_emoji_shifts_by_one() -> None:
    old = locate_quote("Summit: talks resumed.", "talks resumed")
    assert (old.start, old.end) == (8, 21)
    result = reanchor(old, "😀Summit: talks resumed.")
    assert result.state is AnchorState.REANCHORED
    assert result.method == "exact"
    assert (result.anchor.start, result.anchor.end) == (9, 22)  # type: ignore[union-attr]


def test_reanchor_after_inserting_mathematical_letters_shifts_by_four() -> None:
    new_body = "𝐀𝐁𝐂 " + BODY
    result = reanchor(claim(), new_body)
    assert (result.anchor.start, result.anchor.end) == (47, 72)  # type: ignore[union-attr]
    assert_consistent(result, new_body)


def test_fuzzy_reanchor_after_flags_counts_code_points() -> None:
    # "🇮🇷🇷🇺 " adds 5 code points before the span, which itself gains "very " (5).
    new_body = "🇮🇷🇷🇺 " + BODY.replace("were productive", "were very productive")
    result = reanchor(claim(), new_body)
    assert result.method == "fuzzy"
    assert result.anchor == make_anchor(new_body, 48, 78)
    assert result.anchor.quote == "the talks were very productive"  # type: ignore[union-attr]


# --- reanchor: exact matches ----------------------------------------------------------------


def test_reanchor_unchanged_body_keeps_the_anchor() -> None:
    result = reanchor(claim(), BODY)
    assert result == Reanchoring(claim(), AnchorState.ANCHORED, "unchanged", 1.0)


def test_reanchor_insertion_before_the_span_shifts_it_by_the_inserted_length() -> None:
    new_body = "Breaking: " + BODY  # 10 code points
    result = reanchor(claim(), new_body)
    assert result.state is AnchorState.REANCHORED
    assert result.method == "exact"
    assert result.score == 1.0
    assert (result.anchor.start, result.anchor.end) == (53, 78)  # type: ignore[union-attr]
    assert_consistent(result, new_body)


def test_reanchor_deletion_before_the_span_shifts_it_back() -> None:
    new_body = BODY.replace("Officials met on Monday. ", "")  # 25 code points
    result = reanchor(claim(), new_body)
    assert result.method == "exact"
    assert result.anchor == make_anchor(new_body, 18, 43)


def test_reanchor_edit_beyond_the_context_leaves_the_claim_anchored() -> None:
    # "Geneva" lies more than 32 code points after the span, outside its suffix.
    result = reanchor(claim(), BODY.replace("Geneva", "Switzerland"))
    assert result.state is AnchorState.ANCHORED
    assert result.method == "unchanged"
    assert result.anchor == claim()


def test_reanchor_edit_just_after_the_span_keeps_offsets_and_refreshes_the_suffix() -> None:
    new_body = BODY.replace("Nothing else", "Little else")
    result = reanchor(claim(), new_body)
    # Same place, but the stored suffix must change, so this is not "unchanged".
    assert result.state is AnchorState.REANCHORED
    assert result.method == "exact"
    assert result.anchor == make_anchor(new_body, 43, 68)
    assert result.anchor.suffix.startswith(". Little else")  # type: ignore[union-attr]


def test_reanchor_repeated_quote_is_chosen_by_context() -> None:
    # "Iran: agreed. " is 14 and "Russia: " 8, so Russia's "agreed" starts at 22.
    old = make_anchor("Iran: agreed. Russia: agreed.", 22, 28)
    new_body = "Update. Iran: agreed. Russia: agreed."  # both occurrences move by 8
    result = reanchor(old, new_body)
    # At 14 only ": " and "." of the context match (3); at 30 all 22 + 1 do.
    assert result.method == "context"
    assert result.anchor == make_anchor(new_body, 30, 36)


def test_reanchor_prefers_context_over_a_different_occurrence_at_the_old_offsets() -> None:
    old = make_anchor("Iran: agreed. Russia: agreed.", 22, 28)
    # "Iran and Turkey both: " is also 22 long, so Iran's "agreed" now sits at 22;
    # Russia's is at 22 + "agreed. Russia: " (16) = 38.
    new_body = "Iran and Turkey both: agreed. Russia: agreed."
    result = reanchor(old, new_body)
    assert result.state is AnchorState.REANCHORED
    assert result.method == "context"
    assert result.anchor.start == 38  # type: ignore[union-attr]


def test_reanchor_repeated_quote_with_identical_context_takes_the_nearest() -> None:
    dashes = "-" * 40
    body = dashes + "Yes." + dashes + "Yes." + dashes
    old = make_anchor(body, 84, 88)  # the second "Yes.": 40 + 4 + 40
    # Both occurrences still have 32 dashes either side; one "#" moves them to 41 and 85.
    result = reanchor(old, "#" + body)
    assert result.method == "nearest"
    assert result.anchor.start == 85  # type: ignore[union-attr]


def test_reanchor_equally_near_ties_go_to_the_earlier_occurrence() -> None:
    old = make_anchor("-" * 100 + "Yes." + "-" * 100, 100, 104)
    # "Yes." now at 64 and 64 + 4 + 68 = 136, both 36 away from the old start and both with
    # at least 32 dashes either side.
    new_body = "-" * 64 + "Yes." + "-" * 68 + "Yes." + "-" * 100
    result = reanchor(old, new_body)
    assert result.method == "nearest"
    assert result.anchor.start == 64  # type: ignore[union-attr]


# --- reanchor: line endings -----------------------------------------------------------------

CRLF_BODY = "Line one.\r\nLine two.\r\nThe claim here.\r\nEnd."


def test_reanchor_crlf_body_to_lf_body_is_not_orphaned() -> None:
    old = locate_quote(CRLF_BODY, "The claim here.")
    assert old.start == 22  # two lines of 9 + CRLF
    new_body = CRLF_BODY.replace("\r\n", "\n")
    result = reanchor(old, new_body)
    assert result.state is AnchorState.REANCHORED
    assert result.method == "exact"
    assert result.anchor == make_anchor(new_body, 20, 35)  # two lines of 9 + LF


def test_reanchor_offsets_refer_to_the_normalised_body() -> None:
    old = locate_quote(CRLF_BODY, "The claim here.")
    # Even against the very same CRLF body the answer is in LF offsets.
    result = reanchor(old, CRLF_BODY)
    assert result.anchor.start == 20  # type: ignore[union-attr]


def test_reanchor_quote_spanning_a_crlf_line_break() -> None:
    old = locate_quote(CRLF_BODY, "two.\r\nThe claim")
    result = reanchor(old, CRLF_BODY.replace("\r\n", "\n"))
    # "Line one.\n" (10) + "Line " (5) = 15.
    assert result.anchor == make_anchor("Line one.\nLine two.\nThe claim here.\nEnd.", 15, 29)


def test_reanchor_lf_body_to_crlf_body() -> None:
    lf_body = CRLF_BODY.replace("\r\n", "\n")
    old = locate_quote(lf_body, "The claim here.")
    result = reanchor(old, CRLF_BODY)
    assert result.state is AnchorState.ANCHORED
    assert result.anchor == old


# --- reanchor: fuzzy ------------------------------------------------------------------------


def test_reanchor_a_moved_span_is_reanchored_not_words_changed() -> None:
    result = reanchor(claim(), "A new first sentence. " + BODY)
    assert result.state is AnchorState.REANCHORED
    assert result.anchor.quote == claim().quote  # type: ignore[union-attr]


def test_reanchor_a_negation_inside_the_span_is_words_changed() -> None:
    new_body = BODY.replace("the talks were productive", "the talks were not productive")
    result = reanchor(claim(), new_body)
    assert result.state is AnchorState.WORDS_CHANGED
    assert result.anchor.quote == "the talks were not productive"  # type: ignore[union-attr]


def test_reanchor_rewrapped_words_are_a_move() -> None:
    new_body = BODY.replace("the talks were productive", "the talks\nwere  productive")
    result = reanchor(claim(), new_body)
    assert result.method == "fuzzy"
    assert result.state is AnchorState.REANCHORED


def test_reanchor_edit_inside_the_span_is_found_fuzzily() -> None:
    new_body = BODY.replace("were productive", "were very productive")
    result = reanchor(claim(), new_body)
    # Found, but as other words: what the claim says may have changed.
    assert result.state is AnchorState.WORDS_CHANGED
    assert result.method == "fuzzy"
    assert result.anchor == make_anchor(new_body, 43, 73)
    assert result.anchor.quote == "the talks were very productive"  # type: ignore[union-attr]
    # All 25 old code points match: 2 * 25 / (25 + 30).
    assert result.score == pytest.approx(50 / 55)


def test_reanchor_fuzzy_when_the_context_changed_too() -> None:
    new_body = (
        "Delegates gathered. Our minister insisted the talks were very productive, "
        "he told reporters later."
    )
    result = reanchor(claim(), new_body)
    assert result.method == "fuzzy"
    # "Delegates gathered. " (20) + "Our minister insisted " (22) = 42.
    assert result.anchor == make_anchor(new_body, 42, 72)


def test_reanchor_fuzzy_keeps_a_changed_first_word() -> None:
    # No context survives, so the whole body is searched; "these" replaced "the".
    new_body = (
        "Delegates gathered. Our minister insisted these talks were productive, "
        "he told reporters later."
    )
    result = reanchor(claim(), new_body)
    assert result.method == "fuzzy"
    # Starts at 42 as above; "these talks were productive" is 27 long.
    assert result.anchor == make_anchor(new_body, 42, 69)


def test_reanchor_fuzzy_drops_a_deleted_first_word_without_taking_the_one_before() -> None:
    new_body = (
        "Delegates gathered. Our minister insisted talks were productive, he told reporters later."
    )
    result = reanchor(claim(), new_body)
    # "talks were productive" (21): 2 * 21 / (25 + 21) ≈ 0.913, better than any window that
    # reaches back into "insisted".
    assert result.anchor == make_anchor(new_body, 42, 63)
    assert result.score == pytest.approx(42 / 46)


def test_reanchor_fuzzy_does_not_swallow_text_inserted_at_the_body_start() -> None:
    old = locate_quote("The talks were productive. More text follows.", "The talks were productive")
    new_body = "Update: The talks were very productive. More text follows."
    result = reanchor(old, new_body)
    assert result.method == "fuzzy"
    assert result.anchor.quote == "The talks were very productive"  # type: ignore[union-attr]
    assert result.anchor.start == 8  # type: ignore[union-attr]


def test_reanchor_fuzzy_quote_is_trimmed_of_surrounding_whitespace() -> None:
    # The old prefix and suffix survive, so the window between them is the candidate; the
    # blank line added inside it is not part of the new quote.
    new_body = BODY.replace("the talks were productive", "\n\nthe talks were so productive")
    result = reanchor(claim(), new_body)
    assert result.method == "fuzzy"
    assert result.anchor.quote == "the talks were so productive"  # type: ignore[union-attr]
    assert result.anchor.start == 45  # type: ignore[union-attr]


def test_reanchor_respects_min_similarity() -> None:
    # "unproductive" still contains all 25 code points of the quote: 2 * 25 / (25 + 27).
    new_body = BODY.replace("were productive", "were unproductive")
    accepted = reanchor(claim(), new_body, min_similarity=0.95)
    assert accepted.method == "fuzzy"
    assert accepted.score == pytest.approx(50 / 52)
    refused = reanchor(claim(), new_body, min_similarity=0.97)
    assert refused == Reanchoring(None, AnchorState.ORPHANED, "none", 0.0)


def test_reanchor_rejects_an_impossible_min_similarity() -> None:
    with pytest.raises(ValueError, match="min_similarity"):
        reanchor(claim(), BODY, min_similarity=0.0)


def test_reanchor_span_deleted_entirely_is_orphaned() -> None:
    result = reanchor(claim(), BODY.replace("The minister said the talks were productive. ", ""))
    assert result == Reanchoring(None, AnchorState.ORPHANED, "none", 0.0)


def test_reanchor_heavily_rewritten_span_is_orphaned() -> None:
    new_body = BODY.replace(QUOTE, "negotiations collapsed at dawn")
    result = reanchor(claim(), new_body)
    assert result.state is AnchorState.ORPHANED
    assert result.anchor is None


def test_reanchor_in_a_long_body() -> None:
    sentences = [f"Item {i} reports that the ceasefire held in district {i}." for i in range(900)]
    body = " ".join(sentences)
    assert len(body) > 50_000
    old = locate_quote(body, "Item 700 reports that the ceasefire held in district 700.")
    edited = body.replace(
        "ceasefire held in district 700.", "ceasefire mostly held in district 700."
    )
    new_body = "Editor's note. " + edited
    result = reanchor(old, new_body)
    assert result.method == "fuzzy"
    assert result.anchor.start == old.start + len("Editor's note. ")  # type: ignore[union-attr]
    assert result.anchor.quote == (  # type: ignore[union-attr]
        "Item 700 reports that the ceasefire mostly held in district 700."
    )
