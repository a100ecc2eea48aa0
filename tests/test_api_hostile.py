"""The API fed hostile bodies and queries: malformed, oversized, non-UTF-8, NUL-bearing, deeply
nested or script-bearing. Each is a 4xx in the API's error shape, nothing is written, and
markup sent as data is never run in a reader's browser."""

import pytest
from django.urls import reverse

from claims.models import Claim, Proposition

from .api_helpers import client_for

pytestmark = pytest.mark.django_db

SOURCE = "russia-and-iran-new-divides"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"[" * 100000 + b"]" * 100000, 400, "parse_error"),
        (b'{"a":' * 50000 + b"1" + b"}" * 50000, 400, "parse_error"),
        (b'{"source": ', 400, "parse_error"),
        ('{"source": "caf\xe9"}'.encode("latin-1"), 400, "parse_error"),
        (b'{"source": "x", "start": ' + b"9" * 5000 + b', "end": 1}', 400, "parse_error"),
        (b'{"source": "x", "start": NaN, "end": 1}', 400, "parse_error"),
        (b"[1, 2, 3]", 400, "invalid"),
        (b'"a string"', 400, "invalid"),
        (b'{"note": "' + b"x" * 2_000_000 + b'"}', 413, "payload_too_large"),
    ],
    ids=[
        "nested-lists",
        "nested-objects",
        "truncated",
        "latin-1",
        "long-number",
        "nan",
        "list",
        "string",
        "oversized",
    ],
)
def test_malformed_bodies_are_refused(editor, body, status, code):
    before = Claim.objects.count()
    response = client_for(editor).generic(
        "POST", reverse("api:claim-list"), body, content_type="application/json"
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert Claim.objects.count() == before


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_bodies_other_than_json_are_415(editor, content_type):
    response = client_for(editor).generic(
        "POST", reverse("api:proposition-list"), b"text=a&slug=a", content_type=content_type
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "a\x00b", "slug": "nul-text"}, "text"),
        ({"text": "Fine.", "slug": "nul\x00slug"}, "slug"),
        ({"text": 12, "slug": "number-text"}, "text"),
        ({"text": "Fine.", "slug": "fine", "topics": "sudan"}, "topics"),
        ({"text": "Fine.", "slug": "fine", "topics": {"sudan": 1}}, "topics"),
        ({"text": "Fine.", "slug": "fine", "notes": ["a"]}, "notes"),
        ({"text": "Fine.", "slug": "<script>"}, "slug"),
    ],
)
def test_wrongly_typed_or_nul_bearing_fields_are_named(editor, body, field):
    response = client_for(editor).post(reverse("api:proposition-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Proposition.objects.filter(slug__in=["nul-text", "number-text", "fine"]).exists()


@pytest.mark.parametrize(
    "query",
    ["q=%00", "source=a%00b", "page_size=-1", "page_size=1e3", "claim=1.5", "published_after="],
)
def test_hostile_queries_are_400s(query):
    url = reverse("api:claim-list") if "claim=" not in query else reverse("api:stance-list")
    response = client_for().get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_markup_sent_as_data_stays_text_for_readers(editor, reviewer, client):
    note = "<script>alert('note')</script><img src=x onerror=alert(1)>"
    api = client_for(editor)
    # A published source is read-only: the claim goes to its working copy, which a reviewer
    # publishes.
    copy = api.post(reverse("api:source-revision", kwargs={"slug": SOURCE}))
    assert copy.status_code == 201
    working_copy = copy.json()["slug"]
    response = api.post(
        reverse("api:claim-list"),
        {"source": working_copy, "start": 144, "end": 383, "anchor": "offsets", "note": note},
        format="json",
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["note"] == note  # stored and returned as the text it is
    published = client_for(reviewer).post(
        reverse("api:source-publish", kwargs={"slug": working_copy}), {}, format="json"
    )
    assert published.status_code == 200, published.content
    claim = Claim.objects.published().get(source__slug=SOURCE, note=note)
    page = client.get(f"/sources/{SOURCE}/").content.decode()
    assert claim.quote[:40] in page  # the claim is on the page, its note as text
    assert "<script>alert('note')" not in page and "<img src=x" not in page
    # The browsable API escapes it too.
    url = reverse("api:claim-detail", args=[claim.pk])
    assert api.get(url).json()["note"] == note
    html = api.get(url, HTTP_ACCEPT="text/html").content.decode()
    assert "<script>alert('note')" not in html and "<img src=x" not in html
