"""Reading annotation files and placing them in a text (pure Python, no database)."""

import json

import pytest

from claims.importing import formats
from claims.importing.documents import ImportFailure
from claims.importing.formats import BratMapping
from claims.importing.placing import place

BODY = "Moscow backs the corridor.\n\nTehran calls it a red line.\nMoscow backs the corridor."


def test_exact_at_the_given_offsets():
    placed = place(BODY, quote="Tehran calls it a red line", start=28, end=54)
    assert (placed.outcome, placed.anchor.start, placed.detail) == ("exact", 28, "")


def test_without_offsets_a_unique_quote_is_exact():
    placed = place(BODY, quote="red line")
    assert placed.outcome == "exact" and placed.anchor.start == 46


def test_context_chooses_between_occurrences_and_says_so():
    placed = place(BODY, quote="Moscow backs the corridor", prefix="red line.\n", start=0, end=25)
    assert placed.outcome == "reanchored"
    assert placed.anchor.start == 56
    assert placed.detail == "moved from 0–25 to 56–81, chosen by its context"


def test_ambiguous_without_context_or_position_is_refused():
    placed = place(BODY, quote="Moscow backs the corridor")
    assert placed.outcome == "refused" and "occurs 2 times" in placed.detail


def test_different_spacing_is_found_on_the_same_words_only():
    cleaned = "Tehran calls it a red line. Moscow backs the corridor."
    placed = place(cleaned, quote="Tehran calls it\na red  line", start=40, end=66)
    assert placed.outcome == "reanchored"
    assert placed.anchor.quote == "Tehran calls it a red line"
    assert "different spacing" in placed.detail
    assert place(cleaned, quote="Tehran calls it a blue line").outcome == "refused"


@pytest.mark.parametrize("quote", [None, "", "   "])
def test_no_words_no_claim(quote):
    assert place(BODY, quote=quote, start=0, end=5).outcome == "refused"


def test_crlf_text_keeps_its_offsets():
    text = "First line.\r\nSecond line here.\r\n"
    placed = place(text, quote="Second line here.", start=13, end=30)
    assert placed.outcome == "exact" and text[placed.anchor.start : placed.anchor.end] == (
        "Second line here."
    )


def test_refinement_chains_of_any_depth():
    selector = {
        "type": "CssSelector",
        "value": "#source-text",
        "refinedBy": {
            "type": "TextPositionSelector",
            "start": 4,
            "end": 9,
            "refinedBy": [{"type": "TextQuoteSelector", "exact": "quick", "prefix": "The "}],
        },
    }
    document = {
        "type": "Annotation",
        "target": {"source": "https://x.org/sources/s/text", "selector": selector},
    }
    [item] = formats.read_web_annotations(json.dumps(document), "a.jsonld")
    assert (item.source, item.quote, item.prefix, item.start, item.end) == (
        "s",
        "quick",
        "The ",
        4,
        9,
    )


def test_a_target_without_selector_is_refused_and_a_collection_page_by_url_too():
    [item] = formats.read_web_annotations(
        json.dumps([{"type": "Annotation", "target": "https://x.org/sources/s/"}]), "a.json"
    )
    assert "no selector" in item.refused
    with pytest.raises(ImportFailure, match="not inline"):
        formats.read_web_annotations(
            json.dumps({"type": "AnnotationCollection", "first": "https://x.org/p1"}), "c.json"
        )


def test_csv_rows_of_one_claim_are_one_annotation_and_formulas_are_restored():
    text = (
        "claim_id,source,start,end,quote,kind,speaker,proposition,label\n"
        "1,s,0,6,'-minus,factual,,p-one,supports\n"
        "1,s,0,6,'-minus,factual,,p-two,contradicts\n"
    )
    [item] = formats.read_csv(text, "c.csv")
    assert item.quote == "-minus"
    assert [(s.proposition, s.label) for s in item.stances] == [
        ("p-one", "supports"),
        ("p-two", "contradicts"),
    ]


def test_jsonl_with_nested_stances_and_bad_lines():
    line = {
        "source": "s",
        "start": 0,
        "end": 3,
        "quote": "abc",
        "actors": ["iran"],
        "stances": [{"proposition": "p", "label": "mixed", "note": "hedged"}],
    }
    [item] = formats.read_jsonl(json.dumps(line), "c.jsonl")
    assert item.actors == ("iran",) and item.stances[0].note == "hedged"
    with pytest.raises(ImportFailure, match="line 2"):
        formats.read_jsonl(json.dumps(line) + "\n[1]", "c.jsonl")
    [bad] = formats.read_jsonl(json.dumps({**line, "start": "x"}), "c.jsonl")
    assert "start must be a whole number" in bad.refused


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kinds = 3", "kinds must map"),
        ("colour = 'red'", "unknown key 'colour'"),
        ("[stance]\nproposal = 'x'", "unknown key stance.'proposal'"),
        ("[stance", "not valid TOML"),
    ],
)
def test_mapping_errors_name_the_key(text, problem):
    with pytest.raises(ImportFailure, match=problem.replace("(", r"\(")):
        BratMapping.parse(text)


def test_brat_attributes_notes_and_attribution():
    mapping = BratMapping.parse(
        '[stance]\nproposition = "p"\n[attribution]\nvalues = { Own = "own" }'
    )
    ann = (
        "T1\tClaim 0 3\tabc\nA1\tStance T1 For\nA2\tAttribution T1 Own\n#1\tAnnotatorNotes T1\tok\n"
    )
    [item] = formats.read_brat(ann, "abcdef", source="s", mapping=mapping, name="x.ann")
    assert (item.stances[0].label, item.attribution, item.note, item.suffix) == (
        "supports",
        "own",
        "ok",
        "def",
    )
