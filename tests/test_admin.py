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
    from claims.models import Assignment, Job

    from .factories import (
        ActorFactory,
        AuthorFactory,
        PropositionFactory,
        PublisherFactory,
        TopicFactory,
        UserFactory,
    )

    for _ in range(25):
        if model == "source":
            source = SourceFactory()
            source.authorships.create(author=AuthorFactory())
            ClaimFactory(source=source)
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
            ClaimFactory().actors.add(ActorFactory())
        elif model == "proposition":
            StanceFactory(proposition=PropositionFactory()).proposition.topics.add(TopicFactory())
        elif model == "job":
            Job.objects.create(kind="export_csv", created_by=UserFactory())
        elif model == "assignment":
            Assignment.objects.create(source=SourceFactory(), annotator=UserFactory())


# Every changelist starts with the session and the user (2 queries), then counts its rows up to
# EXACT_COUNT_LIMIT (`SELECT COUNT(*) FROM (… LIMIT 10001)`: never the whole table) and reads
# the page of rows with what it shows joined in (2). Per changelist, on top of those four:
CHANGELIST_QUERIES = {
    # + sources per publisher, for the publishers shown · the language filter's values
    "publisher": 6,
    # + sources per author, for the authors shown
    "author": 5,
    # + the publisher filter's choices · authors of the sources shown · claims per source shown
    # · the date hierarchy's first and last date · its years · the language filter's values
    "source": 10,
    # + the parent filter's choices · propositions per topic shown
    "topic": 6,
    # + claims naming each actor shown
    "actor": 5,
    # + the topic filter's choices · topics of the propositions shown · stances per proposition
    "proposition": 7,
    # + stances (with their propositions) of the claims shown, filtered for blind readers. The
    # source filter lists only a chosen source, so without one it costs nothing.
    "claim": 5,
    # + the topic filter's choices · the annotator filter's choices
    "stance": 6,
    # + the date hierarchy's first and last date · its years
    "job": 6,
    # + the annotator filter's choices
    "assignment": 5,
}


@pytest.mark.parametrize("model", sorted(CHANGELIST_QUERIES))
def test_changelist_queries_do_not_grow_with_rows(client, superuser, model):
    client.force_login(superuser)
    url = reverse(f"admin:claims_{model}_changelist")
    before = queries_for(client, url)
    grow(model)
    after = queries_for(client, url)
    assert before == after == CHANGELIST_QUERIES[model], (before, after)


@pytest.mark.parametrize("model", sorted(CHANGELIST_QUERIES))
def test_changelists_never_count_a_whole_table(client, superuser, model):
    """Counts are capped (`LIMIT` inside the COUNT) and per-row figures are grouped over the
    rows of the page only (`IN (…)`), so the cost does not follow the size of the corpus."""
    grow(model)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(f"admin:claims_{model}_changelist")).status_code == 200
    for query in captured.captured_queries:
        sql = query["sql"].upper()
        if "COUNT(" in sql:
            assert "LIMIT" in sql or " IN (" in sql, sql
            assert "COUNT(DISTINCT" not in sql, sql


def test_source_changelist_shows_claim_counts_of_its_rows(client, superuser):
    source = SourceFactory(title="Counted here")
    ClaimFactory.create_batch(3, source=source)
    client.force_login(superuser)
    response = client.get(reverse("admin:claims_source_changelist") + "?q=Counted+here")
    claims_url = reverse("admin:claims_claim_changelist") + f"?source__id__exact={source.pk}"
    assert f'<a href="{claims_url}">3</a>' in response.content.decode().replace("&amp;", "&")
    # The link lands on the claims of that source, with the filter naming it.
    listed = client.get(claims_url)
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == list(
        Claim.objects.filter(source=source).order_by("-pk")
    )
    assert "Counted here" in listed.content.decode()


def test_changelist_count_is_estimated_past_the_exact_limit(client, superuser, monkeypatch):
    """Past EXACT_COUNT_LIMIT rows the paginator stops counting: PostgreSQL's planner gives the
    figure, other databases count; either way no fewer rows than were counted."""
    monkeypatch.setattr("claims.admin.base.EXACT_COUNT_LIMIT", 5)
    client.force_login(superuser)
    response = client.get(reverse("admin:claims_claim_changelist"))
    total = Claim.objects.count()
    assert total > 5
    count = response.context["cl"].result_count
    if connection.vendor == "postgresql":
        assert count >= 6
    else:
        assert count == total


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


def test_publishing_from_the_list_counts_no_claims(client, reviewer):
    """No COUNT of claims joined to sources: the list behind the action counts claims for the
    rows of its page only (each row's own, `source_id = (row)`, for `id IN (…)`), and the
    action reads the selected sources."""
    draft = SourceFactory()
    ClaimFactory.create_batch(3, source=draft)
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as captured:
        client.post(
            reverse("admin:claims_source_changelist"),
            {"action": "publish_action", "_selected_action": [draft.pk]},
        )
    draft.refresh_from_db()
    assert draft.status == Source.Status.PUBLISHED
    counting = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    claims = [sql for sql in counting if "claims_claim" in sql]
    assert claims
    assert all('"claims_source"."id" IN (' in sql for sql in claims), claims
    assert all('"source_id" = ("claims_source"."id")' in sql for sql in claims), claims
    assert not [sql for sql in claims if "JOIN" in sql.upper()], claims


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


def test_source_search_matches_every_word_in_title_outlet_or_authors_once_each(client, superuser):
    from .factories import AuthorFactory, PublisherFactory

    outlet = PublisherFactory(name="Harbour Review")
    by_two = SourceFactory(title="Port politics", publisher=outlet)
    for name in ("Ana Karimova", "Ilya Karimov"):
        by_two.authorships.create(author=AuthorFactory(name=name))
    other = SourceFactory(title="Karimov's corridor")
    SourceFactory(title="Unrelated")
    client.force_login(superuser)

    def found(query: str) -> list[Source]:
        url = reverse("admin:claims_source_changelist")
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return sorted(response.context["cl"].result_list, key=lambda source: source.pk)

    # Both authors match: the source is listed once, beside the one whose title matches.
    assert found("karimov") == [by_two, other]
    assert found("karimov harbour") == [by_two]
    assert found('"Ana Karimova"') == [by_two]
    assert found("karimov zzz") == []
    with CaptureQueriesContext(connection) as captured:
        found("karimov")
    # Authors are asked through EXISTS: no join that repeats sources and needs a DISTINCT.
    joined = [
        q["sql"]
        for q in captured
        if 'FROM "claims_source"' in q["sql"] and 'JOIN "claims_authorship"' in q["sql"]
    ]
    assert not joined, joined
