"""Drafts never reach the public pages: not their text, claims, stances, counts or names.

A draft with claims and stances on seed propositions, its own outlet, author and proposition,
and an unmistakable word is added; every public page must then render exactly as before.
"""

import pytest

from claims.models import Authorship, Proposition

from .corpus import normalised, page_urls
from .factories import (
    AuthorFactory,
    ClaimFactory,
    PropositionFactory,
    PublisherFactory,
    SourceFactory,
    StanceFactory,
)

pytestmark = pytest.mark.django_db

WORD = "Quibblefrost"


def make_draft():
    body = f"{WORD} says Moscow backs the corridor.\n\n{WORD} also says Iran will not object."
    source = SourceFactory(
        title=f"{WORD} dispatch",
        body=body,
        publisher=PublisherFactory(name=f"{WORD} Press"),
        status="in_review",
    )
    Authorship.objects.create(source=source, author=AuthorFactory(name=f"{WORD} Writer"))
    own = PropositionFactory(text=f"{WORD} is right.")
    first = ClaimFactory(source=source, span=(0, 35), note=WORD)
    second = ClaimFactory(source=source, span=(37, len(body)))
    for slug, label in [
        ("russia-backs-zangezur-corridor", "contradicts"),
        ("russia-tilts-toward-azerbaijan", "contradicts"),
        ("iran-opposes-zangezur-corridor", "contradicts"),
    ]:
        StanceFactory(claim=first, proposition=Proposition.objects.get(slug=slug), label=label)
    StanceFactory(claim=second, proposition=own, label="supports")
    return source


@pytest.fixture
def draft():
    return make_draft()


def test_every_public_page_is_unchanged_by_a_draft(client):
    urls = [*page_urls(), f"/search/?q={WORD}"]
    before = {url: normalised(client.get(url)) for url in urls}
    make_draft()
    for url in urls:
        after = normalised(client.get(url))
        assert after == before[url], f"{url} changed when a draft was added"
        if WORD not in url:  # the search page repeats the query it was given
            assert WORD not in after


def test_draft_pages_are_404(client, draft):
    own = Proposition.objects.get(text=f"{WORD} is right.")
    assert client.get(f"/sources/{draft.slug}/").status_code == 404
    assert client.get(f"/sources/{draft.slug}/text.txt").status_code == 404
    assert client.get(f"/publishers/{draft.publisher.slug}/").status_code == 404
    assert client.get(f"/authors/{draft.authors.get().slug}/").status_code == 404
    assert client.get(f"/propositions/{own.slug}/").status_code == 404
    # Answered like an unknown slug: nothing reveals that a draft of that name exists.
    assert client.get(f"/compare/?a={draft.slug}&b=iran-russia-alliance-ejp").status_code == 400


def test_search_and_heatmap_know_nothing_of_the_draft(client, draft):
    html = client.get(f"/search/?q={WORD}").content.decode()
    assert "Nothing published matches" in html
    home = client.get("/").content.decode()
    start = home.index('class="heatmap"')
    heatmap = home[start : home.index("</svg>", start)]
    assert heatmap.count('class="heat-link"') == 20  # still five sources: 5 × 4 pairs
    assert WORD not in home
