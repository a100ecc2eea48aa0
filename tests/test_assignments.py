"""Assignments: blind reading on every path (screen, admin, API), the queue, handing in."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.assigning import AssignmentError, assign_source, finish_reading, start_reading
from claims.models import Assignment, Claim, Stance
from claims.publishing import publish_source

from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "Moscow backs the corridor. Tehran calls it a red line. Baku waits."


def reader(name: str):
    user = UserFactory(username=name, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def setup(reviewer):
    """A draft source read blind by Carol and Dave; each has marked one claim with a stance."""
    source = SourceFactory(body=BODY)
    carol, dave = reader("carol"), reader("dave")
    proposition = PropositionFactory(slug="russia-backs")
    claims = {}
    for user, span, label in ((carol, (0, 26), "supports"), (dave, (0, 26), "mixed")):
        claim = ClaimFactory(source=source, span=span, created_by=user)
        StanceFactory(claim=claim, proposition=proposition, annotator=user, label=label)
        claims[user.username] = claim
    assignments = {
        user.username: assign_source(source=source, annotator=user, blind=True, by=reviewer)
        for user in (carol, dave)
    }
    return source, carol, dave, claims, assignments


def test_blind_reader_sees_only_own_claims_until_all_done(setup):
    source, carol, dave, claims, assignments = setup
    assert list(Claim.objects.visible_to(carol).filter(source=source)) == [claims["carol"]]
    assert set(Stance.objects.visible_to(carol).values_list("annotator", flat=True)) >= {carol.pk}
    assert not Stance.objects.visible_to(carol).filter(annotator=dave).exists()
    finish_reading(assignment=assignments["carol"])
    # Carol is done but Dave is not: still hidden.
    assert Claim.objects.visible_to(carol).filter(source=source).count() == 1
    finish_reading(assignment=assignments["dave"])
    assert Claim.objects.visible_to(carol).filter(source=source).count() == 2
    assert Stance.objects.visible_to(carol).filter(annotator=dave).exists()


def test_reviewer_not_assigned_sees_everything(setup, reviewer):
    source, *_ = setup
    assert Claim.objects.visible_to(reviewer).filter(source=source).count() == 2


def test_annotation_screen_hides_the_other_reading(client, setup):
    source, carol, _dave, claims, _ = setup
    client.force_login(carol)
    url = reverse("admin:claims_source_annotate", args=[source.pk])
    page = client.get(url)
    assert [c.pk for c in page.context["claims"]] == [claims["carol"].pk]
    assert b"You are reading blind" in page.content
    # Nor can she open Dave's claim by its id.
    assert client.get(f"{url}?claim={claims['dave'].pk}").status_code == 404


def test_a_blind_reader_cannot_restore_the_other_reading(client, setup):
    from claims.annotating import delete_claim

    source, carol, dave, claims, _ = setup
    hidden = claims["dave"].pk
    delete_claim(claim=claims["dave"])
    client.force_login(carol)
    url = reverse("admin:claims_source_annotate", args=[source.pk])
    response = client.post(url, {"action": "restore", "claim_id": hidden}, follow=True)
    assert "No deleted claim with that number is recorded." in response.content.decode()
    assert not Claim.objects.filter(pk=hidden).exists()
    # Dave, whose claim it was, can.
    client.force_login(dave)
    client.post(url, {"action": "restore", "claim_id": hidden})
    assert Claim.objects.filter(pk=hidden, created_by=dave).exists()


def test_admin_lists_hide_the_other_reading(client, setup):
    source, carol, dave, claims, _ = setup
    client.force_login(carol)
    page = client.get(reverse("admin:claims_claim_changelist"), {"source__id__exact": source.pk})
    shown = {c.pk for c in page.context["cl"].result_list}
    assert claims["carol"].pk in shown and claims["dave"].pk not in shown
    stances = client.get(
        reverse("admin:claims_stance_changelist"), {"claim__source__id__exact": source.pk}
    )
    assert stances.context["cl"].result_list
    assert all(s.annotator_id != dave.pk for s in stances.context["cl"].result_list)
    change = reverse("admin:claims_claim_change", args=[claims["dave"].pk])
    assert client.get(change).status_code == 302  # the admin's "does not exist" redirect


def test_api_hides_the_other_reading(client, setup):
    source, carol, _dave, claims, _ = setup
    client.force_login(carol)
    listed = client.get("/api/v1/claims/", {"source": source.slug}).json()["results"]
    assert [c["id"] for c in listed] == [claims["carol"].pk]
    stances = client.get("/api/v1/stances/", {"page_size": 100}).json()["results"]
    assert all(s["annotator"] != "dave" for s in stances)
    detail = client.get(f"/api/v1/sources/{source.slug}/").json()
    assert [c["id"] for c in detail["claims"]] == [claims["carol"].pk]
    assert client.get(f"/api/v1/claims/{claims['dave'].pk}/").status_code == 404


def test_start_and_finish_from_the_screen_keep_the_reading(client, setup):
    source, carol, _, claims, assignments = setup
    client.force_login(carol)
    url = reverse("admin:claims_source_annotate", args=[source.pk])
    client.post(url, {"action": "start-reading"})
    assert Assignment.objects.get(pk=assignments["carol"].pk).status == "in_progress"
    client.post(url, {"action": "finish-reading"})
    done = Assignment.objects.get(pk=assignments["carol"].pk)
    assert done.status == "done" and done.done_at is not None
    assert done.reading == [
        {
            "claim": claims["carol"].pk,
            "start": 0,
            "end": 26,
            "quote": BODY[:26],
            "kind": "analysis",
            "attribution": "own",
            "stances": {"russia-backs": "supports"},
        }
    ]
    with pytest.raises(AssignmentError, match="already marked done"):
        finish_reading(assignment=done)
    assert start_reading(assignment=done).status == "done"


def test_assigning_refuses_duplicates_and_non_editors(setup, reviewer):
    source, carol, *_ = setup
    with pytest.raises(AssignmentError, match="already assigned"):
        assign_source(source=source, annotator=carol, by=reviewer)
    with pytest.raises(AssignmentError, match="may not mark claims"):
        assign_source(source=source, annotator=UserFactory(username="reader"), by=reviewer)
    published = publish_source(source=SourceFactory(), by=reviewer)
    with pytest.raises(AssignmentError, match="unpublish it"):
        assign_source(source=published, annotator=carol, by=reviewer)


def test_admin_add_form_names_the_field(client, setup, reviewer):
    source, carol, *_ = setup
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:claims_assignment_add"),
        {"source": source.pk, "annotator": carol.pk, "blind": "on", "status": "assigned"},
    )
    assert response.status_code == 200
    assert "annotator" in response.context["adminform"].form.errors


def test_queue_shows_an_editor_only_their_own(client, setup, reviewer):
    _source, carol, dave, *_ = setup
    client.force_login(carol)
    page = client.get(reverse("admin:claims_assignment_changelist"))
    assert {a.annotator_id for a in page.context["cl"].result_list} == {carol.pk}
    client.force_login(reviewer)
    page = client.get(reverse("admin:claims_assignment_changelist"))
    # Every reader's assignments, the seeds' readers included.
    assert {a.annotator_id for a in page.context["cl"].result_list} >= {carol.pk, dave.pk}
    # Editors cannot assign.
    client.force_login(carol)
    assert client.get(reverse("admin:claims_assignment_add")).status_code == 403


def test_queue_query_count_does_not_grow(client, reviewer, django_assert_num_queries):
    # 7, whatever the number of rows: session, user, own permissions, group permissions, the
    # annotator filter's list of users, the count for the paginator, the page of assignments
    # (with sources, annotators and who assigned them).
    def grow():
        user = reader(f"r{Assignment.objects.count()}")
        assign_source(source=SourceFactory(), annotator=user, by=reviewer)

    client.force_login(reviewer)
    url = reverse("admin:claims_assignment_changelist")
    grow()
    with django_assert_num_queries(7):
        client.get(url)
    for _ in range(4):
        grow()
    with django_assert_num_queries(7):
        client.get(url)
