"""The review workflow in the admin: submit with a note, the reviewers' queue, return with a
comment the editor sees, resubmit, publish; the trail records every move."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import publishing
from claims.models import Claim, Source

from .factories import ClaimFactory, SourceFactory, StanceFactory

pytestmark = pytest.mark.django_db

QUEUE = "admin:claims_source_review_queue"


def move(client, source, name, note=""):
    return client.post(
        reverse("admin:claims_source_review", args=[source.pk]),
        {"move": name, "note": note},
        follow=True,
    )


def change_page(client, source) -> str:
    response = client.get(reverse("admin:claims_source_change", args=[source.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_submit_return_resubmit_publish(client, editor, reviewer):
    source = SourceFactory()
    client.force_login(editor)
    assert "Submit for review" in change_page(client, source)
    move(client, source, "submit", "Checked every stance twice.")
    source.refresh_from_db()
    assert source.status == "in_review"

    client.force_login(reviewer)
    queue = client.get(reverse(QUEUE)).content.decode()
    assert source.title in queue
    assert "Checked every stance twice." in queue and "alice" in queue
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse(QUEUE) in index and "1 source waiting" in index

    # Returning needs a comment.
    refused = move(client, source, "return", "  ")
    assert any("comment" in str(m) for m in refused.context["messages"])
    source.refresh_from_db()
    assert source.status == "in_review"
    move(client, source, "return", "The second claim quotes the wrong sentence.")
    source.refresh_from_db()
    assert source.status == "draft"
    assert source.title not in client.get(reverse(QUEUE)).content.decode()

    client.force_login(editor)
    page = change_page(client, source)
    assert "Returned to the editor" in page
    assert "The second claim quotes the wrong sentence." in page
    move(client, source, "submit", "Fixed.")
    client.force_login(reviewer)
    page = change_page(client, source)
    assert "Returned to the editor" not in page  # acted on: no longer shown as pending
    move(client, source, "publish", "Good.")
    source.refresh_from_db()
    assert source.status == "published" and source.published_by == reviewer

    trail = list(source.review_events.values_list("action", "by__username", "note"))
    assert trail == [
        ("submitted", "alice", "Checked every stance twice."),
        ("returned", "bob", "The second claim quotes the wrong sentence."),
        ("submitted", "alice", "Fixed."),
        ("published", "bob", "Good."),
    ]
    page = change_page(client, source)
    for label in ("Submitted for review", "Returned to editor", "Published"):
        assert label in page


def test_unpublish_does_not_pretend_on_a_source_in_review(client, reviewer):
    source = SourceFactory(status=Source.Status.IN_REVIEW)
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "unpublish_action", "_selected_action": [source.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("return it to its editor" in m for m in messages), messages
    assert any("0 source(s) unpublished" in m for m in messages), messages
    source.refresh_from_db()
    assert source.status == "in_review"


def test_return_action_asks_for_a_comment(client, reviewer):
    sources = [SourceFactory(status=Source.Status.IN_REVIEW) for _ in range(2)]
    client.force_login(reviewer)
    url = reverse("admin:claims_source_changelist")
    selected = [s.pk for s in sources]
    asked = client.post(url, {"action": "return_action", "_selected_action": selected})
    assert asked.status_code == 200 and "Comment for the editor" in asked.content.decode()
    empty = client.post(
        url, {"action": "return_action", "_selected_action": selected, "apply": "1"}
    )
    assert "comment: say what the editor should change." in empty.content.decode()
    client.post(
        url,
        {
            "action": "return_action",
            "_selected_action": selected,
            "apply": "1",
            "comment": "Both need sources.",
        },
    )
    assert set(Source.objects.filter(pk__in=selected).values_list("status", flat=True)) == {"draft"}


def test_the_review_screen_lists_changes_since_the_published_revision(client, editor, reviewer):
    source = SourceFactory()
    kept = ClaimFactory(source=source, span=(0, 6))
    StanceFactory(claim=kept)
    publishing.publish_source(source=source, by=reviewer)
    publishing.unpublish_source(source=source, by=reviewer)
    # After publication: a claim added, one's note changed, a stance relabelled.
    added = ClaimFactory(
        source=source, span=(source.body.index("red line"), source.body.index(" for"))
    )
    kept = Claim.objects.get(pk=kept.pk)
    kept.note = "Hedged."
    kept.save()
    stance = kept.stances.get()
    stance.label = "contradicts" if stance.label != "contradicts" else "supports"
    stance.save()
    publishing.submit_for_review(source=source, by=editor, note="Three edits.")

    client.force_login(reviewer)
    page = change_page(client, source)
    section = page[page.index('id="changes-since-published"') :]
    assert "Changes since the published revision" in section
    assert "“red line”" in section and "added" in section
    assert "changed: note" in section
    assert "changed: label" in section
    assert added.quote in section


def test_queue_queries_do_not_grow_with_the_queue(client, reviewer):
    client.force_login(reviewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(QUEUE)).status_code == 200
        return len(captured)

    for _ in range(2):
        publishing.submit_for_review(source=SourceFactory(), by=reviewer, note="n")
    few = count()
    for _ in range(8):
        publishing.submit_for_review(source=SourceFactory(), by=reviewer, note="n")
    # session, user, (groups/permissions for the view check), the sources in review with their
    # latest submission's id, those submissions with their users: the same at 2 and 10 rows.
    assert count() == few


def test_change_page_queries_do_not_grow_with_the_trail(client, editor, reviewer):
    source = SourceFactory()
    client.force_login(reviewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            change_page(client, source)
        return len(captured)

    publishing.submit_for_review(source=source, by=editor, note="1")
    few = count()
    for n in range(5):
        publishing.return_to_editor(source=source, by=reviewer, comment=f"again {n}")
        publishing.submit_for_review(source=source, by=editor, note=f"{n}")
    # The trail is one query (events with their users); the changes, five.
    assert count() == few
