"""Citing a quote: the three forms, and the page that offers them."""

import json
from datetime import date

import pytest

from claims import citations
from claims.models import Claim, Source

FULL = citations.Citation(
    quote="The corridor remains a red line for Iran.",
    title="Does Russia support Iran?",
    permalink="https://example.test/sources/does-russia-support-iran/#claim-7",
    key_hint="claim-7",
    authors=("Kamran Bokhari", "Ana Núñez"),
    publisher="Geopolitical Futures",
    published_on=date(2024, 7, 9),
    original_url="https://example.test/original",
    accessed=date(2026, 11, 30),
    language="en",
)
BARE = citations.Citation(
    quote='He said "no" & left {50%}.',
    title="An unsigned note",
    permalink="https://example.test/sources/note/#claim-9",
    key_hint="claim-9",
)


def test_plain_text_has_every_fact_it_is_given():
    text = citations.plain_text(FULL)
    assert text.splitlines() == [
        "“The corridor remains a red line for Iran.”",
        "Kamran Bokhari and Ana Núñez. “Does Russia support Iran?” Geopolitical Futures, "
        "9 July 2024. https://example.test/original.",
        "Quoted at https://example.test/sources/does-russia-support-iran/#claim-7 "
        "(accessed 2026-11-30).",
    ]


def test_plain_text_says_what_is_not_stated_and_guesses_nothing():
    text = citations.plain_text(BARE)
    assert text.splitlines()[1] == "“An unsigned note.” Date not stated."
    assert "http" not in text.splitlines()[1]


def test_bibtex_entry():
    entry = citations.bibtex(FULL)
    assert entry.startswith("@online{bokhari2024-claim-7,\n")
    assert "  author = {Kamran Bokhari and Ana Núñez}" in entry
    assert "  date = {2024-07-09}" in entry
    assert "  url = {https://example.test/original}" in entry
    assert "  urldate = {2026-11-30}" in entry
    assert entry.endswith("}")
    bare = citations.bibtex(BARE)
    assert bare.startswith("@online{anonnd-claim-9,")
    # BibTeX's special characters are escaped, so the entry parses.
    assert r"\& left \{50\%\}" in bare
    assert "author" not in bare and "date" not in bare


def test_csl_json_item():
    [item] = json.loads(citations.csl_json(FULL))
    assert item["type"] == "article"
    assert item["author"] == [{"literal": "Kamran Bokhari"}, {"literal": "Ana Núñez"}]
    assert item["issued"] == {"date-parts": [[2024, 7, 9]]}
    assert item["URL"] == "https://example.test/original"
    assert "The corridor remains a red line for Iran." in item["note"]
    [bare] = json.loads(citations.csl_json(BARE))
    assert "issued" not in bare and "author" not in bare
    assert bare["URL"] == BARE.permalink


@pytest.mark.django_db
def test_citation_page_of_a_published_quote(client, django_assert_num_queries):
    slug = "corridor-dividing-russia-and-iran"
    claim = Claim.objects.published().filter(source__slug=slug).first()
    # 1 the public version (page cache key)
    # 2 the claim with its source and outlet
    # 3 the source's authors
    with django_assert_num_queries(3):
        response = client.get(f"/claims/{claim.pk}/cite/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<textarea id="cite-plain"' in html and 'id="cite-bibtex"' in html
    assert 'id="cite-csl"' in html
    assert f"http://testserver/sources/corridor-dividing-russia-and-iran/#claim-{claim.pk}" in html
    assert "Kamran Bokhari" in html
    # The copy buttons are the script's; without it the boxes are there to select.
    assert 'class="cite-copy" data-copy="cite-plain" hidden' in html
    assert "/static/claims/cite.js" in html
    # Every quote on a proposition page links to its citation.
    page = client.get("/propositions/russia-backs-zangezur-corridor/").content.decode()
    assert '/cite/">Cite<span class="visually-hidden"> this quote</span>' in page


@pytest.mark.django_db
def test_no_citation_for_a_draft_quote(client):
    from .factories import ClaimFactory, SourceFactory

    draft = ClaimFactory(source=SourceFactory(status=Source.Status.DRAFT))
    assert client.get(f"/claims/{draft.pk}/cite/").status_code == 404
    assert client.get("/claims/999999999/cite/").status_code == 404
