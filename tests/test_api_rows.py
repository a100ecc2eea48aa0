"""The claim and stance lists are built from plain rows (claims.api.rows): they must say exactly
what the serializers say, for every filter and ordering, for anonymous clients and editors."""

import pytest
from django.urls import reverse
from rest_framework.mixins import ListModelMixin

from claims.api.views import ClaimViewSet, StanceViewSet
from claims.models import Source

from .api_helpers import client_for
from .factories import ClaimFactory, StanceFactory

pytestmark = pytest.mark.django_db

CLAIM_QUERIES = [
    "",
    "label=contradicts",
    "topic=south-caucasus",
    "proposition=russia-backs-zangezur-corridor",
    "source=russia-and-iran-new-divides",
    "attribution=reported",
    "kind=factual",
    "actor=iran",
    "ordering=start",
    "ordering=-modified",
    "q=corridor",
]
STANCE_QUERIES = ["", "label=mixed", "proposition=russia-tilts-toward-azerbaijan", "ordering=id"]


def both(monkeypatch, view, url: str, user=None) -> tuple[bytes, bytes]:
    """The answer from rows, then from the serializer (ListModelMixin.list)."""
    fast = client_for(user).get(url)
    with monkeypatch.context() as patch:
        patch.setattr(view, "list", ListModelMixin.list)
        slow = client_for(user).get(url)
    assert fast.status_code == slow.status_code == 200
    return fast.content, slow.content


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize("query", CLAIM_QUERIES)
def test_claims_from_rows_equal_the_serializer(monkeypatch, query):
    url = f"{reverse('api:claim-list')}?page_size=200&{query}"
    fast, slow = both(monkeypatch, ClaimViewSet, url)
    assert fast == slow
    assert b'"results":[{' in fast


@pytest.mark.parametrize("query", STANCE_QUERIES)
def test_stances_from_rows_equal_the_serializer(monkeypatch, query):
    url = f"{reverse('api:stance-list')}?page_size=200&{query}"
    fast, slow = both(monkeypatch, StanceViewSet, url)
    assert fast == slow
    assert b'"results":[{' in fast


def test_pages_and_editors_drafts_agree_too(monkeypatch, editor):
    draft = ClaimFactory(note="Draft only.")
    StanceFactory(claim=draft)
    assert draft.source.status == Source.Status.DRAFT
    url = f"{reverse('api:claim-list')}?page_size=7"
    fast, slow = both(monkeypatch, ClaimViewSet, url, editor)
    assert fast == slow and b"Draft only." in fast
    anonymous = client_for().get(url).content
    assert b"Draft only." not in anonymous
    following = client_for().get(client_for().get(url).json()["next"])
    assert following.status_code == 200 and following.json()["results"]


@pytest.mark.parametrize(
    "resource",
    ["publisher", "author", "source", "topic", "actor", "proposition", "claim", "stance"],
)
def test_every_list_item_says_what_its_detail_says(resource):
    """A field cannot differ between a list and a detail: each listed item, fetched alone,
    gives the same values (a detail may add fields, such as a source's claims)."""
    client = client_for()
    listed = client.get(reverse(f"api:{resource}-list"), {"page_size": 20}).json()["results"]
    assert listed
    for item in listed:
        detail = client.get(item["url"]).json()
        assert {name: detail.get(name) for name in item} == item, item["url"]
