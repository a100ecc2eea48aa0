"""The admin's import screens: preview first (nothing written), then import the same inputs."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Claim, Source, Stance

from .factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

SOURCES = reverse("admin:claims_source_import")
ANNOTATIONS = reverse("admin:claims_claim_import")

ESSAY = """# A title shared by two essays

By Jane Roe | 4 March 2025

Share this article

The first essay argues that the corridor will open within two years.
"""
PAGE = """<html><head><title>Gas deal stalls</title><meta name="author" content="Anna Petrova">
</head><body><article><h1>Gas deal stalls</h1><p>The swap between Moscow and Tehran has
stalled over pricing, three officials said on Monday.</p><p>Follow us on Twitter</p>
<p>Iran wants a discount that would make the swap cheaper than its own gas.</p></article>
</body></html>"""


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"))


def test_only_those_who_may_add_sources_see_the_screen(client, editor_client):
    assert editor_client.get(SOURCES).status_code == 200
    assert b"Import sources" in editor_client.get(reverse("admin:claims_source_changelist")).content
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(staff)
    assert client.get(SOURCES).status_code == 403
    assert client.get(ANNOTATIONS).status_code == 403


def test_preview_shows_the_cleaned_text_and_what_went_then_imports_drafts(editor_client, editor):
    before = Source.objects.count()
    files = [
        upload("roe-2025.md", ESSAY),
        upload("roe-reply.md", ESSAY.replace("first", "second")),
        upload("gas.html", PAGE),
    ]
    preview = editor_client.post(SOURCES, {"files": files, "paste_format": "text"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "nothing has been saved yet" in html
    assert "byline" in html and "share or follow line" in html
    assert "The first essay argues that the corridor will open within two years." in html
    assert "roe-2025" in html and "roe-reply" in html  # the shared title gives way to names
    assert "Anna Petrova" in html
    assert Source.objects.count() == before

    token = preview.context["token"]
    done = editor_client.post(SOURCES, {"token": token})
    assert done.status_code == 302
    imported = Source.objects.filter(slug__in=["roe-2025", "roe-reply", "gas-deal-stalls"])
    assert imported.count() == 3
    assert set(imported.values_list("status", flat=True)) == {"draft"}
    gas = imported.get(slug="gas-deal-stalls")
    assert "Follow us" not in gas.body and "three officials said on Monday." in gas.body
    assert [a.name for a in gas.authors.all()] == ["Anna Petrova"]


def test_a_verbatim_paste_is_stored_exactly_as_given(editor_client):
    text = "First line, not a title.\r\nSecond line  \r\n\r\nCafe\u0301 — 東京 🚲\n"
    data = {
        "text": text,
        "paste_format": "text",
        "name": "raw-note",
        "title": "A raw note",
        "verbatim": "on",
    }
    preview = editor_client.post(SOURCES, data)
    assert preview.status_code == 200, preview.content[:500]
    editor_client.post(SOURCES, {"token": preview.context["token"]})
    source = Source.objects.get(slug="raw-note")
    assert source.body == text and source.title == "A raw note"
    assert source.provenance["verbatim"] is True


def test_an_altered_token_imports_nothing(editor_client):
    preview = editor_client.post(
        SOURCES, {"text": "A short text here.", "paste_format": "text", "name": "short"}
    )
    token = preview.context["token"]
    response = editor_client.post(SOURCES, {"token": token[:-3] + "abc"}, follow=True)
    assert "altered" in response.content.decode()
    assert not Source.objects.filter(slug="short").exists()


def test_errors_are_shown_on_the_form(editor_client):
    empty = editor_client.post(SOURCES, {"paste_format": "text"})
    assert "Upload a file or paste a text." in empty.content.decode()
    binary = editor_client.post(
        SOURCES, {"files": [SimpleUploadedFile("x.txt", b"\xff\xfe\x00")], "paste_format": "text"}
    )
    assert "not UTF-8" in binary.content.decode()
    taken = SourceFactory(slug="a-taken-title")
    clash = editor_client.post(
        SOURCES,
        {"text": "A taken title\n\nBody text here.", "paste_format": "text", "name": taken.slug},
    )
    assert "duplicate slug" in clash.content.decode()


def annotation_file(source, *, quote="Moscow backs the corridor", position=(0, 25)):
    return upload(
        "notes.jsonld",
        json.dumps(
            {
                "type": "AnnotationPage",
                "items": [
                    {
                        "type": "Annotation",
                        "target": {
                            "source": f"https://example.org/sources/{source.slug}/",
                            "selector": [
                                {"type": "TextQuoteSelector", "exact": quote},
                                {
                                    "type": "TextPositionSelector",
                                    "start": position[0],
                                    "end": position[1],
                                },
                            ],
                        },
                        "body": [
                            {"type": "TextualBody", "purpose": "classifying", "value": "supports"},
                            {
                                "type": "SpecificResource",
                                "purpose": "linking",
                                "source": "https://example.org/propositions/russia-backs-zangezur-corridor/",
                            },
                        ],
                    }
                ],
            }
        ),
    )


def test_annotation_dry_run_then_import(editor_client, editor):
    source = SourceFactory(body="Tehran objects. Moscow backs the corridor.")
    preview = editor_client.post(ANNOTATIONS, {"files": [annotation_file(source)]})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Dry run" in html and "moved from 0–25 to 16–41" in html
    assert not Claim.objects.filter(source=source).exists()
    done = editor_client.post(ANNOTATIONS, {"token": preview.context["token"]})
    assert done.status_code == 302
    claim = Claim.objects.get(source=source)
    assert claim.quote == "Moscow backs the corridor"
    assert Stance.objects.get(claim=claim).annotator == editor


def test_a_refused_annotation_offers_no_import(editor_client):
    source = SourceFactory(body="Tehran objects.")
    preview = editor_client.post(ANNOTATIONS, {"files": [annotation_file(source)]})
    html = preview.content.decode()
    assert "the quote is not in the text" in html
    assert 'name="token"' not in html


def test_a_batch_too_large_to_post_back_is_refused_before_anything_is_written(
    editor_client, monkeypatch
):
    monkeypatch.setattr("claims.admin.imports.TOKEN_MAX_LENGTH", 10)
    data = {"text": "A short note.\n", "paste_format": "text", "name": "big", "title": "Big"}
    preview = editor_client.post(SOURCES, data)
    assert preview.status_code == 200
    assert "use the import_sources command" in preview.content.decode()
    assert not preview.context.get("token")
    assert not Source.objects.filter(slug="big").exists()
