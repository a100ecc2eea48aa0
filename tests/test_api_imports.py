"""POST /api/v1/imports/annotations/: a file of annotations in one request, reported one by one;
and the claims API's rule that a claim is created from its words, or from offsets on purpose."""

import json

import pytest
from django.urls import reverse

from claims.models import Claim, Proposition, Stance

from .api_helpers import client_for
from .factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:import-annotations")
BODY = "Moscow backs the corridor. Tehran calls it a red line. Moscow backs the corridor."


@pytest.fixture
def source():
    return SourceFactory(slug="dispatch", url="https://news.example.org/a/1", body=BODY)


@pytest.fixture
def proposition():
    return Proposition.objects.create(slug="russia-backs", text="Russia backs the corridor.")


def annotation(selector, *, source="https://news.example.org/a/1", body=None) -> dict:
    value = {"type": "Annotation", "target": {"source": source, "selector": selector}}
    if body is not None:
        value["body"] = body
    return value


QUOTE = {"type": "TextQuoteSelector", "exact": "Tehran calls it a red line", "prefix": "dor. "}
POSITION = {"type": "TextPositionSelector", "start": 27, "end": 53}
STANCE = [
    {"type": "TextualBody", "purpose": "classifying", "value": "contradicts"},
    {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": "https://elsewhere.example/propositions/russia-backs/",
    },
]


def post(user, document, *, query="", content_type="application/ld+json"):
    data = document if isinstance(document, (str, bytes)) else json.dumps(document)
    return client_for(user).post(f"{URL}{query}", data=data, content_type=content_type)


def test_anonymous_and_readers_cannot_import(source):
    assert post(None, annotation([QUOTE])).status_code == 401
    reader = UserFactory(username="reader")
    response = post(reader, annotation([QUOTE]))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize(
    "selector",
    [
        [QUOTE, POSITION],  # a list, as our export and Hypothesis write it
        QUOTE,  # one selector
        {"type": "CssSelector", "value": "#text", "refinedBy": [QUOTE, POSITION]},
        {"type": "CssSelector", "value": "#text", "refinedBy": {**QUOTE, "refinedBy": POSITION}},
        [
            {"type": "RangeSelector", "startSelector": {"type": "XPathSelector", "value": "/p"}},
            POSITION,
            QUOTE,
        ],
    ],
)
def test_every_selector_shape_lands_on_the_words(editor, source, proposition, selector):
    response = post(editor, annotation(selector, body=STANCE))
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["written"] and report["counts"] == {"exact": 1}
    claim = Claim.objects.get(source=source)
    assert (claim.start, claim.end, claim.quote) == (27, 53, "Tehran calls it a red line")
    stance = Stance.objects.get(claim=claim)
    assert (stance.label, stance.proposition, stance.annotator) == (
        "contradicts",
        proposition,
        editor,
    )
    assert claim.created_by == editor


def test_a_hypothesis_row_with_a_note_matched_by_the_source_url(editor, source):
    row = {
        "uri": source.url,
        "text": "Worth checking against the transcript.",
        "target": [{"source": source.url, "selector": [QUOTE]}],
    }
    response = post(editor, {"total": 1, "rows": [row]}, content_type="application/json")
    assert response.json()["counts"] == {"exact": 1}
    assert Claim.objects.get(source=source).note == "Worth checking against the transcript."


def test_moved_and_ambiguous_quotes_are_reported(editor, source):
    moved = annotation([{**QUOTE, "prefix": ""}, {**POSITION, "start": 20, "end": 46}])
    twice = annotation([{"type": "TextQuoteSelector", "exact": "Moscow backs the corridor"}])
    hinted = annotation(
        [
            {"type": "TextQuoteSelector", "exact": "Moscow backs the corridor"},
            {"type": "TextPositionSelector", "start": 55, "end": 80},
        ]
    )
    page = {"type": "AnnotationPage", "items": [moved, twice, hinted]}
    response = post(editor, page, query="?partial=1")
    outcomes = response.json()["annotations"]
    assert [o["outcome"] for o in outcomes] == ["reanchored", "refused", "exact"]
    assert outcomes[0]["detail"] == "moved from 20–46 to 27–53"
    assert "occurs 2 times" in outcomes[1]["detail"]
    assert (outcomes[2]["start"], outcomes[2]["end"]) == (55, 80)
    assert Claim.objects.filter(source=source).count() == 2


def test_a_refusal_writes_nothing_and_names_the_annotation(editor, source):
    collection = {
        "type": "AnnotationCollection",
        "first": {
            "type": "AnnotationPage",
            "items": [
                annotation([QUOTE]),
                annotation([POSITION]),  # offsets without words
            ],
        },
    }
    response = post(editor, collection)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {
        "annotations[1]": ["no quote (TextQuoteSelector): the words are what place a claim"]
    }
    assert not Claim.objects.filter(source=source).exists()


def test_dry_run_then_import_then_again_changes_nothing(editor, source, proposition):
    document = annotation([QUOTE], body=STANCE)
    dry = post(editor, document, query="?dry_run=1").json()
    assert dry["dry_run"] and not dry["written"] and dry["annotations"][0]["claim"] == "new"
    assert not Claim.objects.filter(source=source).exists()
    assert post(editor, document).json()["tallies"] == {"claims created": 1, "stances created": 1}
    history = (Claim.history.count(), Stance.history.count())
    again = post(editor, document).json()
    assert again["tallies"] == {"claims existing": 1, "stances unchanged": 1}
    assert (Claim.history.count(), Stance.history.count()) == history


def test_csv_body_with_the_export_columns(editor, source, proposition):
    csv_text = (
        "claim_id,source,start,end,quote,kind,speaker,proposition,label\r\n"
        "7,dispatch,27,53,Tehran calls it a red line,opinion,,russia-backs,contradicts\r\n"
        "8,dispatch,0,25,'-Moscow backs,factual,,,\r\n"
    )
    response = post(editor, csv_text, query="?partial=1", content_type="text/csv")
    outcomes = response.json()["annotations"]
    assert [o["outcome"] for o in outcomes] == ["exact", "refused"]
    assert Claim.objects.get(source=source).kind == "opinion"


@pytest.mark.parametrize(
    ("query", "body", "content_type", "field"),
    [
        ("?dry_run=maybe", "{}", "application/ld+json", "dry_run"),
        ("?page=2", "{}", "application/ld+json", "page"),
        ("", "not json", "application/ld+json", "file"),
        ("", '{"type": "Nothing"}', "application/ld+json", "file"),
        ("", "a,b\r\n1,2\r\n", "text/csv", "file"),
        ("", "[1, 2]", "application/jsonl", "file"),
        ("", b"\xff\xfe", "text/csv", "file"),
    ],
)
def test_bad_requests_are_400_naming_the_field(editor, source, query, body, content_type, field):
    response = post(editor, body, query=query, content_type=content_type)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_brat_upload_with_its_text_and_mapping(editor, source, proposition):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ann = "T1\tClaim 27 53\tTehran calls it a red line\nA1\tStance T1 Against\n"
    mapping = b'[stance]\nproposition = "russia-backs"\n'
    response = client_for(editor).post(
        f"{URL}?source=dispatch",
        {
            "file": [
                SimpleUploadedFile("a.ann", ann.encode()),
                SimpleUploadedFile("a.txt", BODY.encode()),
            ],
            "mapping": SimpleUploadedFile("mapping.toml", mapping),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"exact": 1}
    assert Stance.objects.get(claim__source=source).label == "contradicts"


def test_creating_a_claim_needs_its_quote_or_an_explicit_offsets_anchor(editor, source):
    claims = reverse("api:claim-list")
    api = client_for(editor)
    bare = {"source": "dispatch", "start": 0, "end": 25}
    response = api.post(claims, bare, format="json")
    assert response.status_code == 400
    assert "quote" in response.json()["error"]["fields"]
    assert api.post(claims, {**bare, "anchor": "offsets"}, format="json").status_code == 201
    quoted = {**bare, "start": 27, "end": 53, "quote": "Tehran calls it a red line"}
    assert api.post(claims, quoted, format="json").status_code == 201
    wrong = {**bare, "anchor": "everything"}
    assert "anchor" in api.post(claims, wrong, format="json").json()["error"]["fields"]
