"""The reading view: a source's text with its claims highlighted."""

import re

import pytest

from claims.models import Claim, Source

from .corpus import FIRST, SECOND, grow, publish
from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory

pytestmark = pytest.mark.django_db

SEG = re.compile(
    r'<mark class="seg stance-(\w+) depth-(\d)" data-claims="([\d ]+)"( id="claim-(\d+)")?'
)


def test_reading_view_prints_metadata_and_the_laid_out_text(client):
    response = client.get("/sources/corridor-dividing-russia-and-iran/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>The Corridor Dividing Russia and Iran</h1>" in html
    assert 'href="/publishers/geopolitical-futures/"' in html
    assert 'href="/authors/kamran-bokhari/">Kamran Bokhari</a> <span class="muted">(author)' in html
    assert '<time datetime="2024-09-12">12 September 2024</time>' in html
    assert "<h2>" in html  # headings of the article
    # Every claim is highlighted and anchored once.
    source = Source.objects.get(slug="corridor-dividing-russia-and-iran")
    anchors = set(re.findall(r'id="claim-(\d+)"', html))
    assert anchors == {str(pk) for pk in source.claims.values_list("pk", flat=True)}


def test_translation_missing_date_and_supplied_title_are_stated(client):
    html = client.get("/sources/russia-and-iran-new-divides/").content.decode()
    assert "English, translated from Arabic" in html
    assert "date not stated" in html
    html = client.get("/sources/iran-russia-alliance-ejp/").content.decode()
    assert "title supplied by the editors" in html
    assert "unsigned" in html


def test_list_items_are_gathered_into_lists(client):
    html = client.get("/sources/does-russia-support-iran/").content.decode()
    # A list of items whose text is the item's own (the bullets come from CSS).
    assert '<div class="text-list" role="list"><div class="text-item" role="listitem">' in html
    assert "<h3>" in html


def test_segments_cover_the_quote_exactly_with_code_point_offsets(client):
    body = "Ünïcode 😀 first: Moscow and Tehran deepened their ties.\n\nNext paragraph."
    # Content first, publication last: a published revision is read-only.
    source = SourceFactory(body=body)
    start = body.index("Moscow")
    outer = ClaimFactory(source=source, span=(start, start + len("Moscow and Tehran deepened")))
    tehran = body.index("Tehran")
    inner = ClaimFactory(source=source, span=(tehran, tehran + len("Tehran")))
    crossing = ClaimFactory(source=source, span=(body.index("deepened"), body.index("Next") + 4))
    proposition = PropositionFactory()
    StanceFactory(claim=outer, proposition=proposition, label="supports")
    StanceFactory(claim=inner, proposition=proposition, label="contradicts")
    StanceFactory(claim=crossing, proposition=proposition, label="mixed")
    publish(source)
    html = client.get(f"/sources/{source.slug}/").content.decode()
    marks = re.findall(r'<mark class="seg [^"]+" data-claims="([\d ]+)"[^>]*>([^<]*)</mark>', html)
    text = {}
    for claims, piece in marks:
        for claim in claims.split():
            text[int(claim)] = text.get(int(claim), "") + piece
    assert text[outer.pk] == "Moscow and Tehran deepened"
    assert text[inner.pk] == "Tehran"
    # The crossing claim runs into the next paragraph; the blank line between is not drawn.
    assert text[crossing.pk] == "deepened their ties.Next"
    assert f'data-claims="{outer.pk} {inner.pk}"' in html  # nesting: outermost first
    assert 'class="seg stance-contradicts depth-2"' in html


def test_every_highlight_is_focusable_and_described_by_its_notes(client):
    html = client.get("/sources/russia-and-iran-diverge-in-the-south-caucasus/").content.decode()
    marks = re.findall(r"<mark [^>]*>", html)
    assert marks
    for mark in marks:
        assert 'tabindex="0"' in mark
        described = re.search(r'aria-describedby="([^"]+)"', mark).group(1).split()
        claims = re.search(r'data-claims="([\d ]+)"', mark).group(1).split()
        # The innermost claim first: its stances (with their propositions), then whose view.
        assert described[:2] == [f"note-stances-{claims[-1]}", f"note-meta-{claims[-1]}"]
        for target in described:
            assert f'id="{target}"' in html
        assert "title=" not in mark


def test_the_filters_offer_the_propositions_stances_and_voices_of_the_text(client):
    html = client.get("/sources/russia-and-iran-diverge-in-the-south-caucasus/").content.decode()
    assert '<select id="filter-proposition" data-filter="propositions">' in html
    assert '<option value="supports">✔ supports</option>' in html
    assert '<option value="reported">' in html or '<option value="own">' in html
    notes = re.findall(r'<li class="note note--\w+" id="note-(\d+)" data-claim="(\d+)"', html)
    assert notes and all(a == b for a, b in notes)


def test_orphaned_claims_are_neither_drawn_nor_listed(client):
    # Orphaned claims never appear publicly (Claim.objects.published() leaves them out): not
    # highlighted, since their offsets no longer point at their words, and not listed either.
    # Content first, publication last: a published revision is read-only.
    source = SourceFactory()
    claim = ClaimFactory(source=source, span=FIRST)
    StanceFactory(claim=claim)
    placed = ClaimFactory(source=source, span=SECOND)
    StanceFactory(claim=placed)
    Claim.objects.filter(pk=claim.pk).update(anchor_state="orphaned")
    publish(source)
    html = client.get(f"/sources/{source.slug}/").content.decode()
    assert f'data-claims="{placed.pk}"' in html
    assert f'data-claim="{placed.pk}"' in html
    assert f'data-claims="{claim.pk}"' not in html
    assert f'data-claim="{claim.pk}"' not in html
    assert "no longer found in the text" not in html


def test_draft_and_unknown_sources_are_404(client):
    draft = SourceFactory()
    assert client.get(f"/sources/{draft.slug}/").status_code == 404
    assert client.get("/sources/no-such-source/").status_code == 404


def test_reading_view_query_count_does_not_grow(client, django_assert_num_queries):
    url = "/sources/corridor-dividing-russia-and-iran/"
    # 0 the public version, which keys the page cache (a miss here: new data)
    # 1 the published source with its outlet
    # 2 its authorships and authors
    # 3 its claims with their speakers, in text order
    # 4 the stances on those claims with their propositions
    # 5 the propositions this source addresses
    # 6 ids of the other published sources addressing them
    # 7 the first of those sources, for the "compare with" links
    # 8 the readings handed in on this source, for the double-read figure
    with django_assert_num_queries(9):
        client.get(url)
    grow(4)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.content.decode().count("/compare/?a=corridor-dividing-russia-and-iran") == 8
