"""Drafts never reach the public through the API: not in lists, details, counts, search,
comparisons or exports. Editors, who work on drafts, do see them."""

import pytest
from django.urls import reverse

from claims.models import Proposition, Source

from .api_helpers import client_for
from .factories import AuthorFactory, ClaimFactory, PublisherFactory, SourceFactory, StanceFactory

pytestmark = pytest.mark.django_db

SECRET = "Zyxwvutsrq"  # a word found nowhere but in the draft


@pytest.fixture
def draft():
    source = SourceFactory(
        title=f"Draft {SECRET}",
        slug="secret-draft",
        publisher=PublisherFactory(slug="draft-only-outlet", name="Draft Only Outlet"),
        body=f"{SECRET} says Moscow backs the corridor.",
    )
    source.authorships.create(author=AuthorFactory(slug="draft-only-writer"))
    claim = ClaimFactory(source=source, span=(0, len(SECRET)), note=SECRET)
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    stance = StanceFactory(claim=claim, proposition=proposition, label="contradicts")
    return {"source": source, "claim": claim, "stance": stance}


def everything_public(client) -> list[str]:
    """Fetch every list, export and comparison and return the raw bodies."""
    urls = [
        reverse(f"api:{name}-list") + "?page_size=200"
        for name in [
            "publisher",
            "author",
            "source",
            "topic",
            "actor",
            "proposition",
            "claim",
            "stance",
        ]
    ]
    urls += [
        reverse("api:claim-list") + f"?q={SECRET}",
        reverse("api:source-list") + f"?q={SECRET}",
        reverse("api:proposition-detail", args=["russia-backs-zangezur-corridor"]),
        reverse("api:compare-matrix") + "?topic=zangezur-corridor",
        reverse("api:annotations"),
        reverse("api:annotations") + "?after=0",
        reverse("api:export-claims-csv"),
        reverse("api:export-positions-csv"),
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        bodies.append(content.decode())
    return bodies


def test_drafts_appear_nowhere_for_anonymous_clients(draft):
    for body in everything_public(client_for()):
        assert SECRET not in body
        assert "secret-draft" not in body
        assert "draft-only-outlet" not in body and "draft-only-writer" not in body


def test_draft_details_are_404(draft):
    client = client_for()
    claim, stance = draft["claim"], draft["stance"]
    for url in [
        reverse("api:source-detail", args=["secret-draft"]),
        reverse("api:claim-detail", args=[claim.pk]),
        reverse("api:stance-detail", args=[stance.pk]),
        reverse("api:publisher-detail", args=["draft-only-outlet"]),
        reverse("api:author-detail", args=["draft-only-writer"]),
        reverse("api:annotation-detail", args=[claim.pk]),
        reverse("api:compare-sources") + "?a=secret-draft&b=russia-and-iran-new-divides",
    ]:
        assert client.get(url).status_code == 404, url


def test_draft_stances_do_not_change_public_positions_or_counts(draft):
    body = (
        client_for()
        .get(reverse("api:proposition-detail", args=["russia-backs-zangezur-corridor"]))
        .json()
    )
    assert {p["position"] for p in body["positions"]} == {"supports"}
    assert body["divergence"] == 0
    sources = client_for().get(reverse("api:source-list")).json()
    assert sources["count"] == Source.objects.published().count() == 5
    annotations = client_for().get(reverse("api:annotations")).json()
    assert annotations["total"] == 166


def test_a_token_without_permissions_sees_only_published(draft, django_user_model):
    reader = django_user_model.objects.create_user("reader")
    for body in everything_public(client_for(reader)):
        assert SECRET not in body


def test_editors_see_drafts(draft, editor):
    client = client_for(editor)
    assert client.get(reverse("api:source-detail", args=["secret-draft"])).status_code == 200
    slugs = [
        s["slug"]
        for s in client.get(reverse("api:source-list") + "?status=draft").json()["results"]
    ]
    assert slugs == ["secret-draft"]


def test_exports_stay_published_only_even_for_editors(draft, editor):
    # Exports and comparisons publish numbers; they are the public's view for everyone.
    response = client_for(editor).get(reverse("api:export-claims-csv"))
    assert SECRET not in b"".join(response.streaming_content).decode()
