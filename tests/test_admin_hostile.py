"""The admin fed hostile input: NUL characters, oversized and overstuffed posts, impossible
offsets and markup — each a form error or a 400, nothing written, no markup run in a page."""

import pytest
from django.urls import reverse

from claims.models import Claim, Source

from .factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


def new_source(**changes) -> dict:
    data = {
        "title": "A piece",
        "slug": "a-piece",
        "language": "en",
        "translated_from": "",
        "url": "",
        "body": "Moscow backs the corridor.",
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("field", ["title", "body", "slug"])
def test_nul_characters_are_form_errors(client, editor, field):
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_add"), new_source(**{field: "bad\x00value"})
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Source.objects.filter(title__startswith="A piece").exists()


def test_an_oversized_post_is_refused(client, editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(editor)
    response = client.post(reverse("admin:claims_source_add"), new_source(body="x" * 20_000))
    assert response.status_code == 400
    assert not Source.objects.filter(slug="a-piece").exists()


def test_a_post_with_thousands_of_fields_is_refused(client, editor):
    client.force_login(editor)
    data = new_source(**{f"extra{i}": "1" for i in range(1500)})
    response = client.post(reverse("admin:claims_source_add"), data)
    assert response.status_code == 400
    assert not Source.objects.filter(slug="a-piece").exists()


def test_a_body_that_is_not_utf8_is_not_a_server_error(client, editor):
    client.force_login(editor)
    body = b"title=caf\xe9&slug=cafe&language=en&body=caf\xe9"
    response = client.generic(
        "POST",
        reverse("admin:claims_source_add"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 5), (5, 2), (0, 10**12), ("x", "y"), (0, 2**63)],
)
def test_impossible_offsets_on_the_annotation_screen_write_nothing(client, editor, start, end):
    source = SourceFactory()
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_annotate", args=[source.pk]),
        {"action": "save", "source": source.pk, "start": start, "end": end, "kind": "analysis"},
    )
    assert response.status_code == 400
    assert not Claim.objects.filter(source=source).exists()


@pytest.mark.parametrize("claim_id", ["abc", "1e9", "-1", "9" * 40])
def test_malformed_claim_ids_are_404s(client, editor, claim_id):
    source = SourceFactory()
    client.force_login(editor)
    url = reverse("admin:claims_source_annotate", args=[source.pk])
    assert client.get(f"{url}?claim={claim_id}").status_code == 404


def test_markup_in_titles_quotes_and_notes_is_shown_as_text(client, editor):
    source = SourceFactory(title=f"Title {SCRIPT}", body=f"Body {SCRIPT} ends here.")
    claim = ClaimFactory(source=source, span=(5, 5 + len(SCRIPT)), note=SCRIPT)
    client.force_login(editor)
    pages = [
        reverse("admin:claims_source_changelist"),
        reverse("admin:claims_source_change", args=[source.pk]),
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_change", args=[claim.pk]),
        reverse("admin:claims_source_annotate", args=[source.pk]),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
        assert "&lt;script&gt;" in page, url
