"""A reference that cannot name a row (a NUL byte, a number where a slug belongs, a slug
longer than any, a malformed id) is a 400 naming the field on every path, checked once in
claims.references; the admin drops such values from its add forms instead of failing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.references import check_id, check_slug

from .api_helpers import client_for

pytestmark = pytest.mark.django_db

SOURCE = "russia-and-iran-new-divides"
BAD_SLUGS = ["abc\x00", 5, ["a"], {"slug": "a"}, "a" * 201]


def test_check_slug():
    assert check_slug("zangezur-corridor") == "zangezur-corridor"
    for bad in BAD_SLUGS:
        with pytest.raises(ValidationError):
            check_slug(bad)


def test_check_id():
    assert check_id("42") == 42 and check_id(7) == 7
    for bad in ("abc", "4\x002", "", "-1", 0, True, 10**18, "9" * 19, 1.5, "٣"):
        with pytest.raises(ValidationError):
            check_id(bad)


def _claim(**extra) -> dict:
    return {"source": SOURCE, "start": 0, "end": 5, "kind": "analysis", **extra}


@pytest.mark.parametrize("bad", BAD_SLUGS, ids=repr)
@pytest.mark.parametrize(
    "url,body,field",
    [
        ("api:claim-list", lambda bad: _claim(source=bad), "source"),
        ("api:claim-list", lambda bad: _claim(speaker=bad), "speaker"),
        ("api:claim-list", lambda bad: _claim(actors=[bad]), "actors"),
        (
            "api:proposition-list",
            lambda bad: {"text": "A claim holds.", "slug": "a-claim-holds", "topics": [bad]},
            "topics",
        ),
    ],
)
def test_bad_slug_references_are_400_naming_the_field(editor, bad, url, body, field):
    response = client_for(editor).post(reverse(url), body(bad), format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert any(name.startswith(field) for name in error["fields"]), error


@pytest.mark.parametrize("bad", BAD_SLUGS, ids=repr)
def test_a_stance_with_a_bad_proposition_is_400(editor, bad):
    from claims.models import Claim

    claim = Claim.objects.first()
    body = {"claim": claim.pk, "proposition": bad, "label": "supports"}
    response = client_for(editor).post(reverse("api:stance-list"), body, format="json")
    assert response.status_code == 400
    assert "proposition" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "query", ["source=" + "a" * 201, "speaker=" + "b" * 300, "proposition=" + "c" * 201]
)
def test_slug_filters_refuse_what_no_slug_can_be(query):
    response = client_for().get(f"/api/v1/claims/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/claims/claim/add/?source=abc",
        "/admin/claims/claim/add/?speaker=abc&actors=1,x",
        "/admin/claims/stance/add/?claim=abc",
        "/admin/claims/stance/add/?proposition=abc",
        "/admin/claims/source/add/?publisher=99999999999999999999999",
    ],
)
def test_admin_add_forms_ignore_malformed_references(client, superuser, path):
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 200


def test_admin_add_forms_keep_good_references(client, superuser):
    from claims.models import Source

    source = Source.objects.get(slug=SOURCE)
    client.force_login(superuser)
    response = client.get(f"/admin/claims/claim/add/?source={source.pk}")
    assert response.status_code == 200
    assert f'<option value="{source.pk}" selected>' in response.content.decode()


@pytest.mark.parametrize("bad", ["abc", "1\x00", 10**19, True, [1]], ids=repr)
def test_a_stance_with_a_bad_claim_id_is_400(editor, bad):
    body = {"claim": bad, "proposition": "russia-backs-zangezur-corridor", "label": "supports"}
    response = client_for(editor).post(reverse("api:stance-list"), body, format="json")
    assert response.status_code == 400
    assert "claim" in response.json()["error"]["fields"]
