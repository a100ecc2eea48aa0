"""The cleaner, on small texts written for each rule (no database)."""

import pytest

from claims.importing import cleaning
from claims.importing.cleaning import CleaningError, clean


def kinds(result):
    return [(block["kind"], result.body[block["start"] : block["end"]]) for block in result.blocks]


def test_blocks_are_separated_by_a_blank_line_and_index_the_body():
    result = clean("First paragraph here.\nSecond paragraph here.\n")
    assert result.body == "First paragraph here.\n\nSecond paragraph here."
    assert kinds(result) == [
        ("paragraph", "First paragraph here."),
        ("paragraph", "Second paragraph here."),
    ]


def test_markdown_headings_and_emphasis():
    text = "# Title\n\n## Strategic Divergence\n\nRussia is **supporting Azerbaijan's plan** now.\n"
    result = clean(text, fmt=cleaning.MARKDOWN)
    assert kinds(result) == [
        ("heading", "Title"),
        ("heading", "Strategic Divergence"),
        ("paragraph", "Russia is supporting Azerbaijan's plan now."),
    ]
    assert [b["level"] for b in result.blocks] == [1, 2, 0]


def test_markdown_links_single_emphasis_and_code_keep_their_words():
    result = clean("See [the report](https://example.org) and *this* `term` here.", fmt="markdown")
    assert result.body == "See the report and this term here."


def test_snake_case_words_are_not_mistaken_for_emphasis():
    result = clean("The field body_sha256 and my_value stay.", fmt="markdown")
    assert result.body == "The field body_sha256 and my_value stay."


def test_plain_text_short_unpunctuated_lines_are_headings():
    result = clean("Contradictory Interests\nThe text goes on here.\nOil and Gas:\nMore text.")
    assert kinds(result) == [
        ("heading", "Contradictory Interests"),
        ("paragraph", "The text goes on here."),
        ("heading", "Oil and Gas:"),
        ("paragraph", "More text."),
    ]
    assert result.blocks[2]["level"] == 3


def test_bullets_become_list_items_without_their_marker():
    result = clean("Points:\n  • Local Currency Trade: rubles.\n  • Barter Agreements: goods.")
    assert kinds(result)[1:] == [
        ("item", "Local Currency Trade: rubles."),
        ("item", "Barter Agreements: goods."),
    ]


@pytest.mark.parametrize(
    ("furniture", "reason"),
    [
        ("11 thoughts on “Russia Iran Relations”\n\nLeave a Comment", "comment section"),
        ("Read 8943 times Last modified on Thursday, 29 June 2023", "view counter"),
        ("Source » ejpress", "republication credit"),
        ("Sign up for upcoming events, latest news", "sign-up"),
        ("user placeholder\nwritten by\nDima\nAll Dima articles", "author widget"),
        ("Visit also\n\nStaff Publications\n\nOped Someone, A Title, 2022.", "related-links"),
    ],
)
def test_generic_page_furniture_is_removed_with_its_reason(furniture, reason):
    result = clean(f"The article says something.\n\n{furniture}\n")
    assert result.body == "The article says something."
    assert any(reason in removal.reason for removal in result.removed)


def test_manifest_rules_run_with_their_reasons():
    rules = (
        cleaning.line_rule("Russia Iran Relations", "image caption"),
        cleaning.pattern_rule(r"by .* - \w+ \d+, \d{4}", "byline"),
    )
    text = (
        "by Someone - September 12, 2024\nRussia Iran Relations\nBody text.\nRussia Iran Relations"
    )
    result = clean(text, rules=rules)
    assert result.body == "Body text."
    assert [r.reason for r in result.removed] == ["byline", "image caption", "image caption"]


def test_author_bio_moves_out_of_the_body():
    import re

    bio = cleaning.BioRule(
        pattern=re.compile("Vali Kaleji is .*"),
        author="vali-kaleji",
        strip=(re.compile(r"\s*He can be reached at.*$"),),
    )
    text = "Article text.\n\nVali Kaleji is Ph.D. in Regional Studies. He can be reached at  x ."
    result = clean(text, bio=bio)
    assert result.body == "Article text."
    assert result.bio == ("vali-kaleji", "Vali Kaleji is Ph.D. in Regional Studies.")


def test_a_bio_rule_that_matches_nothing_is_an_error():
    import re

    bio = cleaning.BioRule(pattern=re.compile("Nobody is .*"), author="x")
    with pytest.raises(CleaningError, match="matched no paragraph"):
        clean("Article text.", bio=bio)


def test_paragraph_broken_mid_sentence_is_rejoined():
    first = "Turkey has exploited Russia's preoccupation with Ukraine to expand its influence " * 2
    text = f"{first}and strengthen its\n\nconnectivity with Central Asia.\n\nNext paragraph."
    result = clean(text)
    assert f"{first}and strengthen its connectivity with Central Asia." in result.body
    assert result.body.endswith("\n\nNext paragraph.")
    assert any("rejoined" in r.reason for r in result.removed)


def test_unicode_is_nfc_and_line_endings_lf_and_spaces_plain():
    decomposed = "Cafe\u0301"  # e + combining acute accent
    result = clean(f"{decomposed} talks\u00a0in\u2009Baku.\r\nNext  line.\r")
    assert result.body == "Café talks in Baku.\n\nNext line."


def test_control_characters_are_dropped():
    assert clean("Nul\x00 byte\x07 here.").body == "Nul byte here."


def test_characters_beyond_the_bmp_survive_and_offsets_count_code_points():
    result = clean("😀 Emoji first.\n𝐀𝐁𝐂 then maths.")
    second = result.blocks[1]
    assert result.body[second["start"] : second["end"]] == "𝐀𝐁𝐂 then maths."
    assert second["start"] == len("😀 Emoji first.") + 2


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Source » ejpress\n"])
def test_nothing_left_is_an_error(text):
    with pytest.raises(CleaningError):
        clean(text)


def test_decode_refuses_non_utf8_and_names_the_byte():
    with pytest.raises(CleaningError, match=r"not UTF-8 text .*byte 3 is 0xe9"):
        cleaning.decode("Caf\xe9".encode("latin-1"))


def test_decode_drops_a_byte_order_mark():
    assert cleaning.decode("\ufeffHello".encode()) == "Hello"


def test_unknown_format_is_an_error():
    with pytest.raises(CleaningError, match="unknown format"):
        clean("Text.", fmt="html")
