"""The editors' admin: pages render, changelists stay flat in queries, roles hold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Proposition, Source, Stance

from .factories import ClaimFactory, SourceFactory, StanceFactory

pytestmark = pytest.mark.django_db

MODELS = ["publisher", "author", "source", "topic", "actor", "proposition", "claim", "stance"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_form_render(client, superuser, model):
    client.force_login(superuser)
    assert client.get(reverse(f"admin:claims_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:claims_{model}_add")).status_code == 200


@pytest.mark.parametrize("model", ["source", "claim", "stance", "proposition"])
def test_change_form_and_history_render(client, superuser, model):
    client.force_login(superuser)
    model_class = {"source": Source, "claim": Claim, "stance": Stance, "proposition": Proposition}
    pk = model_class[model].objects.first().pk
    assert client.get(reverse(f"admin:claims_{model}_change", args=[pk])).status_code == 200
    assert client.get(reverse(f"admin:claims_{model}_history", args=[pk])).status_code == 200


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(model: str) -> None:
    """Add 25 rows the changelist would show, on top of the seed corpus."""
    from .factories import (
        ActorFactory,
        AuthorFactory,
        PropositionFactory,
        PublisherFactory,
        TopicFactory,
    )

    for _ in range(25):
        if model == "source":
            source = SourceFactory()
            source.authorships.create(author=AuthorFactory())
        elif model == "claim":
            StanceFactory(claim=ClaimFactory())
        elif model == "stance":
            StanceFactory()
        elif model == "publisher":
            SourceFactory(publisher=PublisherFactory())
        elif model == "author":
            SourceFactory().authorships.create(author=AuthorFactory())
        elif model == "topic":
            TopicFactory(parent=TopicFactory())
        elif model == "actor":
            ActorFactory()
        elif model == "proposition":
            PropositionFactory().topics.add(TopicFactory())


# Every changelist: session, user, permissions, the page of rows with what it shows joined in,
# one prefetch per many-valued column (authors of sources; stances and propositions of claims;
# topics of propositions), the filter sidebar's lists, and no COUNT over the whole table
# (show_full_result_count is off). Pinned so that an N+1 shows up as a changed number.
CHANGELIST_QUERIES = {
    "publisher": 5,
    "author": 4,
    "source": 9,
    "topic": 5,
    "actor": 4,
    "proposition": 6,
    # Stances come with their propositions in one query (the claims' stances are filtered for
    # blind readers, so they are prefetched with a queryset of their own).
    "claim": 6,
    "stance": 7,
}


@pytest.mark.parametrize("model", sorted(CHANGELIST_QUERIES))
def test_changelist_queries_do_not_grow_with_rows(client, superuser, model):
    client.force_login(superuser)
    url = reverse(f"admin:claims_{model}_changelist")
    before = queries_for(client, url)
    grow(model)
    after = queries_for(client, url)
    assert before == after == CHANGELIST_QUERIES[model], (before, after)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("admin:claims_source_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_editor_cannot_publish_but_reviewer_can(client, editor, reviewer):
    draft = SourceFactory()
    url = reverse("admin:claims_source_changelist")
    post = {"action": "publish_action", "_selected_action": [draft.pk]}

    client.force_login(editor)
    page = client.get(url)
    assert "publish_action" not in page.context["action_form"].fields["action"].choices.__repr__()
    client.post(url, post)
    draft.refresh_from_db()
    assert draft.status == Source.Status.DRAFT

    client.force_login(reviewer)
    client.post(url, post)
    draft.refresh_from_db()
    assert draft.status == Source.Status.PUBLISHED
    assert draft.published_by == reviewer and draft.published_at is not None


def test_editor_submits_for_review(client, editor):
    draft = SourceFactory()
    client.force_login(editor)
    client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "submit_for_review_action", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Source.Status.IN_REVIEW


def source_form(source, **changes) -> dict:
    data = {
        "title": source.title,
        "slug": source.slug,
        "publisher": source.publisher_id or "",
        "url": source.url,
        "published_on": "",
        "language": source.language,
        "translated_from": source.translated_from,
        "body": source.body,
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_editing_the_text_in_the_admin_reanchors_claims(client, editor):
    source = SourceFactory()
    claim = ClaimFactory(
        source=source, span=(source.body.index("red line"), source.body.index(" for"))
    )
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_change", args=[source.pk]),
        source_form(source, body="A new first line.\n\n" + source.body),
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 moved, 0 with changed words" in m for m in messages), messages
    claim.refresh_from_db()
    assert claim.source.body[claim.start : claim.end] == "red line"


def claim_form(source, start, end, quote="") -> dict:
    return {
        "source": source.pk,
        "start": start,
        "end": end,
        "quote": quote,
        "kind": "analysis",
        "note": "",
        "stances-TOTAL_FORMS": "0",
        "stances-INITIAL_FORMS": "0",
        "stances-MIN_NUM_FORMS": "0",
        "stances-MAX_NUM_FORMS": "1000",
    }


def test_adding_a_claim_takes_quote_and_context_from_the_text(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:claims_claim_add"), claim_form(source, 0, 6))
    assert response.status_code == 302
    claim = Claim.objects.get(source=source)
    assert (claim.quote, claim.prefix, claim.created_by) == ("Moscow", "", editor)
    assert claim.suffix == source.body[6:38]


@pytest.mark.parametrize(
    ("start", "end", "quote", "field", "message"),
    [
        (0, 10_000, "", "end", "end"),
        (6, 6, "", "end", "start"),
        (0, 6, "Tehran", "quote", "reads “Moscow”"),
    ],
)
def test_bad_spans_are_form_errors_naming_the_problem(
    client, editor, start, end, quote, field, message
):
    source = SourceFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:claims_claim_add"), claim_form(source, start, end, quote))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Claim.objects.filter(source=source).exists()


def test_editing_the_text_names_the_orphaned_claims(client, editor):
    source = SourceFactory()
    ClaimFactory(source=source, span=(0, 6))
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_change", args=[source.pk]),
        source_form(source, body="Completely new wording.", seen_version=source.version),
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 orphaned" in m and "“Moscow”" in m and "annotate" in m for m in messages), (
        messages
    )
