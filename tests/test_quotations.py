"""Quotes as the pages print them: shortened only at word boundaries, with a marked elision
that links to the whole quote, and in quotation marks that never double."""

import pytest
from django.template import Context, Template

from claims.display import ELISION, quotation, shorten

IRAN = (
    "The corridor would cut the land route between Armenia and Iran, and Tehran has said so "
    "plainly in every meeting since the war; the foreign minister repeated it to Iran."
)
# The quote ends on the speaker's own closing mark, opened inside it.
ENDS_IN_MARK = (
    "Officials in Baku insist the route is only a road, but in Tehran the word used is "
    'blockade, and the Supreme Leader called it "a plot against Iran."'
)


def render(text, limit=0, href=""):
    template = Template("{% load claims_tags %}{% quote text limit href %}")
    return template.render(Context({"text": text, "limit": limit, "href": href}))


def test_a_quote_within_the_limit_is_whole_and_has_no_elision():
    shown = quotation("Russia backs the corridor.", 180)
    assert str(shown) == "“Russia backs the corridor.”"
    assert not shown.elided
    assert "…" not in str(shown)


def test_a_quote_exactly_at_the_limit_is_not_shortened():
    text = "a" * 20 + " " + "b" * 19  # 40 characters
    assert len(text) == 40
    assert shorten(text, 40) == (text, False)
    assert not quotation(text, 40).elided


def test_one_character_over_the_limit_cuts_at_the_last_word():
    text = "a" * 20 + " " + "b" * 20  # 41 characters
    assert shorten(text, 40) == ("a" * 20, True)


def test_a_space_right_after_the_limit_keeps_the_whole_last_word():
    assert shorten("one two three four", 7) == ("one two", True)


def test_a_quote_ending_in_its_speakers_mark_is_wrapped_once():
    shown = str(quotation(ENDS_IN_MARK))
    assert shown.startswith("“Officials")
    assert shown.endswith("‘a plot against Iran.’”")
    assert '""' not in shown and '"' not in shown


def test_the_181_character_quote_ending_iran_and_a_mark_is_cut_at_a_word():
    text = "x" * 169 + ' said Iran."'
    assert len(text) == 181
    shown = quotation(text, 180)
    assert shown.elided
    # Cut at the space before "Iran.": never "Iran…", never a mark left dangling.
    assert shown.text.endswith(" said")
    assert str(shown).endswith(f" said {ELISION}”")
    assert "…" not in str(shown).replace(ELISION, "")


def test_a_quote_in_its_own_marks_is_not_wrapped_again():
    assert str(quotation('"Iran will not accept it."')) == "“Iran will not accept it.”"
    assert str(quotation("“Iran will not accept it.”")) == "“Iran will not accept it.”"
    assert str(quotation("«Иран этого не примет»")) == "«Иран этого не примет»"


def test_quotes_inside_the_quote_become_single_marks():
    assert str(quotation('He said "no" twice.')) == "“He said ‘no’ twice.”"
    assert str(quotation("He said “no” twice.")) == "“He said ‘no’ twice.”"
    # Two quotations side by side are not one enclosed quote.
    assert str(quotation('"Yes," he said, "and no."')) == "“‘Yes,’ he said, ‘and no.’”"


def test_non_latin_text_is_cut_at_a_space_and_unspaced_scripts_at_the_limit():
    assert shorten("один два три четыре", 10) == ("один два", True)
    assert shorten("الممر سيقطع الطريق البري بين أرمينيا وإيران", 20) == (
        "الممر سيقطع الطريق",
        True,
    )
    assert shorten("这是一个很长的句子没有空格", 5) == ("这是一个很", True)


def test_a_cut_never_splits_a_combining_sequence():
    text = "abcde\u0301fgh"  # e + combining acute at index 4-5
    head, elided = shorten(text, 5)
    assert elided
    assert head == "abcd"


def test_dangling_punctuation_before_the_elision_is_dropped():
    assert shorten("First clause, second clause goes on", 14) == ("First clause", True)


@pytest.mark.parametrize("limit", [0, 10, 500])
def test_the_tag_marks_the_elision_and_links_it_to_the_whole_quote(limit):
    html = render(IRAN, limit, "/sources/s/#claim-7")
    if 0 < limit < len(IRAN):
        assert '<a class="elision" href="/sources/s/#claim-7">[…]' in html
        assert "read the whole quote" in html
    else:
        assert "elision" not in html and "…" not in html
        assert html.count("“") == 1 and html.count("”") == 1


def test_the_tag_escapes_the_quote():
    assert "&lt;script&gt;" in render("<script>alert(1)</script>")


def test_without_a_link_the_elision_is_still_marked():
    html = render(IRAN, 20)
    assert '<span class="elision">[…]' in html


@pytest.mark.parametrize(
    ("text", "nested"),
    [
        ('He said "no" today', "He said ‘no’ today"),
        ('"Start" of it', "‘Start’ of it"),
        ('a ("b") c—"d"-"e"/"f"', "a (‘b’) c—‘d’-‘e’/‘f’"),
        ("Typographic “inner” and „low” marks", "Typographic ‘inner’ and ‘low’ marks"),
        ("No marks at all, and an apostrophe's kept", "No marks at all, and an apostrophe's kept"),
        ('x"y', "x’y"),
        ("", ""),
    ],
)
def test_double_marks_inside_a_quotation_become_single(text, nested):
    from claims.display import _nest

    assert _nest(text) == nested
