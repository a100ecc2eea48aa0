"""Adjudication: units side by side, decisions with history, publication waits for them; and the
agreement pages."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims import adjudicating
from claims.assigning import assign_source, finish_reading
from claims.models import Adjudication, Claim, Source, Stance
from claims.publishing import WorkflowError, publish_source, submit_for_review

from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "Moscow backs the corridor. Tehran calls it a red line. Baku waits for news."
#        0                        25 27                           54 56             75


def reader(name: str):
    user = UserFactory(username=name, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def mark(source, user, span, proposition, label, kind="analysis"):
    claim = ClaimFactory(source=source, span=span, created_by=user, kind=kind)
    StanceFactory(claim=claim, proposition=proposition, annotator=user, label=label)
    return claim


@pytest.fixture
def double(reviewer):
    """Carol and Dave read one draft blind. They agree on the first sentence, differ on the
    stance of the second, and only Carol marked the third."""
    source = SourceFactory(body=BODY)
    carol, dave = reader("carol"), reader("dave")
    p = PropositionFactory(slug="russia-backs")
    q = PropositionFactory(slug="iran-objects")
    claims = {
        "c1": mark(source, carol, (0, 26), p, "supports"),
        "d1": mark(source, dave, (0, 26), p, "supports"),
        "c2": mark(source, carol, (27, 55), q, "supports"),
        "d2": mark(source, dave, (27, 55), q, "mixed"),
        "c3": mark(source, carol, (56, 75), q, "neutral"),
    }
    assignments = [
        assign_source(source=source, annotator=user, by=reviewer) for user in (carol, dave)
    ]
    return source, carol, dave, claims, assignments


def finish(assignments):
    for assignment in assignments:
        finish_reading(assignment=assignment)


def test_units_align_and_mark_agreement(double):
    source, _carol, _dave, _, _ = double
    units = adjudicating.units_of(source)
    assert [(u.start, u.end, u.agreed, u.one_sided) for u in units] == [
        (0, 26, True, False),
        (27, 55, False, False),
        (56, 75, False, True),
    ]


def test_no_decision_before_every_reader_is_done(double, reviewer):
    source, carol, *_ = double
    with pytest.raises(adjudicating.AdjudicationError, match="done first"):
        adjudicating.accept(source=source, start=27, end=55, annotator=carol.pk, by=reviewer)


def test_editors_cannot_adjudicate(double):
    source, carol, _, _, assignments = double
    finish(assignments)
    with pytest.raises(adjudicating.AdjudicationError, match="Only reviewers"):
        adjudicating.merge_agreed(source=source, by=carol)


def test_decisions_settle_the_source_and_publication_uses_them(double, reviewer):
    source, carol, dave, claims, assignments = double
    with pytest.raises(WorkflowError, match="done first"):
        submit_for_review(source=source, by=reviewer)
    finish(assignments)
    with pytest.raises(WorkflowError, match="3 unit"):
        submit_for_review(source=source, by=reviewer)
    with pytest.raises(WorkflowError, match="3 unit"):
        publish_source(source=source, by=reviewer)

    merged = adjudicating.merge_agreed(source=source, by=reviewer)
    assert [m.decision for m in merged] == ["merged"]
    accepted = adjudicating.accept(source=source, start=27, end=55, annotator=dave.pk, by=reviewer)
    adjudicating.no_claim(source=source, start=56, end=75, by=reviewer)

    remaining = set(Claim.objects.filter(source=source).values_list("pk", flat=True))
    assert remaining == {claims["c1"].pk, claims["d2"].pk}
    assert list(accepted.kept.all()) == [claims["d2"]]
    assert accepted.decided_by == reviewer and accepted.accepted_annotator == dave
    assert {r["annotator"] for r in accepted.readings} == {carol.pk, dave.pk}
    # The losing readings are in the claims' history, with who deleted them.
    assert Claim.history.filter(id=claims["c2"].pk, history_type="-").exists()
    assert Adjudication.history.filter(source=source).count() == 3

    submit_for_review(source=source, by=reviewer)
    publish_source(source=source, by=reviewer)
    public = Claim.objects.published().filter(source=source)
    assert [(c.quote, [s.label for s in c.stances.all()]) for c in public] == [
        (BODY[0:26], ["supports"]),
        (BODY[27:55], ["mixed"]),
    ]


def test_recorded_decisions_settle_every_unit(double, reviewer):
    source, carol, dave, claims, assignments = double
    finish(assignments)
    decisions = [
        adjudicating.RecordedDecision(27, 55, "accept", dave.pk, note="the mixed reading holds"),
        adjudicating.RecordedDecision(
            56, 75, "edit", carol.pk, {"kind": "factual", "stances": {"russia-backs": "neutral"}}
        ),
    ]
    records = adjudicating.apply_recorded(source=source, decisions=decisions, by=reviewer)
    assert [r.decision for r in records] == ["merged", "accepted", "edited"]
    assert records[1].note == "the mixed reading holds"
    assert not adjudicating.pending_units(source)
    edited = Claim.objects.get(pk=claims["c3"].pk)
    assert edited.kind == "factual"
    assert {(s.proposition.slug, s.label, s.annotator_id) for s in edited.stances.all()} == {
        ("russia-backs", "neutral", carol.pk)
    }
    assert not Claim.objects.filter(pk__in=[claims["d1"].pk, claims["c2"].pk]).exists()


def test_recorded_decisions_must_cover_every_unit(double, reviewer):
    source, _carol, dave, claims, assignments = double
    finish(assignments)
    decisions = [adjudicating.RecordedDecision(27, 55, "accept", dave.pk)]
    with pytest.raises(adjudicating.AdjudicationError, match=r"1 unit.*56–75"):
        adjudicating.apply_recorded(source=source, decisions=decisions, by=reviewer)
    # Nothing was half-done.
    assert Claim.objects.filter(source=source).count() == len(claims)
    assert not Adjudication.objects.filter(source=source).exists()


def test_recorded_edit_keeps_one_claim_of_a_reader_who_marked_the_unit(double, reviewer):
    source, _carol, dave, _, assignments = double
    finish(assignments)
    with pytest.raises(adjudicating.AdjudicationError, match="marked no claim"):
        adjudicating.apply_recorded(
            source=source,
            decisions=[adjudicating.RecordedDecision(56, 75, "accept", dave.pk)],
            by=reviewer,
        )


def test_recorded_edit_that_makes_no_valid_claim_is_refused(double, reviewer):
    source, carol, dave, claims, assignments = double
    finish(assignments)
    decisions = [
        adjudicating.RecordedDecision(27, 55, "accept", dave.pk),
        adjudicating.RecordedDecision(56, 75, "edit", carol.pk, {"kind": "rumour"}),
    ]
    with pytest.raises(adjudicating.AdjudicationError, match="valid claim"):
        adjudicating.apply_recorded(source=source, decisions=decisions, by=reviewer)
    assert Claim.objects.get(pk=claims["c3"].pk).kind == "analysis"


def test_stale_unit_is_refused(double, reviewer):
    source, carol, _, _, assignments = double
    finish(assignments)
    with pytest.raises(adjudicating.AdjudicationError, match="changed since"):
        adjudicating.accept(source=source, start=27, end=50, annotator=carol.pk, by=reviewer)


def screen(source):
    return reverse("admin:claims_source_adjudicate", args=[source.pk])


def test_screen_side_by_side_with_differences_and_filter(client, double, reviewer):
    source, _, _, _, assignments = double
    finish(assignments)
    client.force_login(reviewer)
    page = client.get(screen(source))
    assert page.status_code == 200
    rows = page.context["units"]
    assert [r["unit"].start for r in rows] == [0, 27, 56]
    # The second unit differs on stances only.
    assert rows[1]["cells"][0]["differs"] == {
        "span": False,
        "kind": False,
        "attribution": False,
        "stances": True,
    }
    assert b"No claim here" in page.content
    only = client.get(screen(source), {"show": "disagreements"})
    assert [r["unit"].start for r in only.context["units"]] == [27, 56]
    assert "script" not in only.content.decode().split("<body", 1)[1].split("</h1>", 1)[0]


def test_screen_posts_decisions(client, double, reviewer):
    source, carol, _dave, claims, assignments = double
    finish(assignments)
    client.force_login(reviewer)
    client.post(screen(source), {"action": "merge"})
    response = client.post(
        screen(source), {"action": "accept", "start": 27, "end": 55, "annotator": carol.pk}
    )
    assert response.status_code == 302
    response = client.post(
        screen(source),
        {"action": "accept-edit", "start": 56, "end": 75, "annotator": carol.pk},
    )
    assert f"?claim={claims['c3'].pk}" in response["Location"]
    assert adjudicating.pending_units(source) == []
    decided = client.get(screen(source)).context["units"]
    assert not any(any(cell["differs"].values()) for row in decided for cell in row["cells"])
    decisions = list(Adjudication.objects.filter(source=source).values_list("decision", flat=True))
    assert sorted(decisions) == ["accepted", "edited", "merged"]
    # A bad post changes nothing and says why.
    response = client.post(screen(source), {"action": "accept", "start": "x"}, follow=True)
    assert "No unit given" in response.content.decode()


def test_screen_is_for_reviewers(client, double):
    source, carol, *_ = double
    client.force_login(carol)
    assert client.get(screen(source)).status_code == 403


def test_single_reader_sources_publish_as_before(reviewer):
    source = SourceFactory(body=BODY)
    assign_source(source=source, annotator=reader("erin"), by=reviewer)
    publish_source(source=source, by=reviewer)
    assert source.status == Source.Status.PUBLISHED


# --- agreement pages --------------------------------------------------------------------------


def test_source_agreement_page(client, double, reviewer):
    source, _, _, _, assignments = double
    finish(assignments)
    client.force_login(reviewer)
    page = client.get(reverse("admin:claims_source_agreement", args=[source.pk]))
    figures = page.context["figures"]
    # Stance units: (s,s) (s,m) (n, none). Span F1 = 2·2/5; kind α over 3 units.
    assert figures.span_f1 == pytest.approx(0.8)
    assert figures.stance.low <= figures.stance.value <= figures.stance.high
    assert [d.what for d in page.context["disagreements"]] == ["stance", "one reader only"]
    assert reverse("admin:claims_source_adjudicate", args=[source.pk]) in page.content.decode()


def grow_double_read(reviewer, n):
    proposition = PropositionFactory()
    for _ in range(n):
        source = SourceFactory(body=BODY)
        users = [reader(f"r{UserFactory._meta.model.objects.count()}") for _ in range(2)]
        for user, label in zip(users, ("supports", "contradicts"), strict=True):
            mark(source, user, (0, 26), proposition, label)
        for user in users:
            finish_reading(assignment=assign_source(source=source, annotator=user, by=reviewer))


def test_overview_query_count_does_not_grow(client, reviewer, django_assert_num_queries):
    # 6 queries, whatever the number of sources: session, user, own permissions, group
    # permissions, the handed-in readings (one row per reader, with the source's title and
    # text length), and the topics of the propositions they labelled.
    client.force_login(reviewer)
    url = reverse("admin:claims_assignment_agreement")
    grow_double_read(reviewer, 1)
    with django_assert_num_queries(6):
        page = client.get(url)
    # The seeds hold two double-read sources.
    assert len(page.context["sources"]) == 3
    grow_double_read(reviewer, 3)
    with django_assert_num_queries(6):
        page = client.get(url)
    assert len(page.context["sources"]) == 6


def test_source_agreement_query_count_does_not_grow(
    client, double, reviewer, django_assert_num_queries
):
    # 6 queries, whatever the number of claims: session, user, own permissions, group
    # permissions, the source, and its handed-in readings.
    source, carol, dave, _, assignments = double
    for assignment in assignments:
        assignment.refresh_from_db()
    url = reverse("admin:claims_source_agreement", args=[source.pk])
    client.force_login(reviewer)
    finish(assignments)
    with django_assert_num_queries(6):
        client.get(url)
    proposition = PropositionFactory()
    for user in (carol, dave):
        assignment = user.assignments.get(source=source)
        assignment.status = "in_progress"
        assignment.save()
        for start in (56, 60, 65):
            mark(source, user, (start, start + 3), proposition, "neutral")
        finish_reading(assignment=assignment)
    with django_assert_num_queries(6):
        page = client.get(url)
    assert page.context["figures"].stance.units == 4  # was 3: the new claims count


# --- API --------------------------------------------------------------------------------------


def test_api_agreement_for_editors_only(client, double, editor):
    source, _, _, _, assignments = double
    finish(assignments)
    assert client.get("/api/v1/agreement/", {"source": source.slug}).status_code in (401, 403)
    client.force_login(UserFactory(username="plain"))
    assert client.get("/api/v1/agreement/").status_code == 403
    client.force_login(editor)
    data = client.get("/api/v1/agreement/", {"source": source.slug}).json()
    assert data["readers"] == ["carol", "dave"]
    assert data["figures"]["span_f1"] == 0.8
    assert set(data["figures"]["stance"]) == {"value", "low", "high", "units", "verdict"}
    assert [d["what"] for d in data["disagreements"]] == ["stance", "one reader only"]
    overview = client.get("/api/v1/agreement/").json()
    assert source.slug in [row["source"] for row in overview["sources"]]
    assert ["carol", "dave"] in [row["readers"] for row in overview["pairs"]]
    assert {"russia-backs", "iran-objects"} <= {r["proposition"] for r in overview["propositions"]}
    bad = client.get("/api/v1/agreement/", {"sorce": source.slug})
    assert bad.status_code == 400 and "sorce" in bad.json()["error"]["fields"]


def test_api_agreement_query_count_does_not_grow(
    client, reviewer, editor, django_assert_num_queries
):
    # 6 queries, whatever the number of sources: session, user, own and group permissions,
    # the handed-in readings, the propositions' topics.
    client.force_login(editor)
    grow_double_read(reviewer, 1)
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/agreement/").json()["sources"]) == 3  # 2 from the seeds
    grow_double_read(reviewer, 3)
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/agreement/").json()["sources"]) == 6


# --- public reading view ----------------------------------------------------------------------


def test_reading_view_gives_the_figure_of_a_double_read_source(client, double, reviewer):
    source, carol, dave, _, assignments = double
    finish(assignments)
    adjudicating.merge_agreed(source=source, by=reviewer)
    adjudicating.accept(source=source, start=27, end=55, annotator=dave.pk, by=reviewer)
    adjudicating.accept(source=source, start=56, end=75, annotator=carol.pk, by=reviewer)
    url = f"/sources/{source.slug}/"
    publish_source(source=source, by=reviewer)
    page = client.get(url).content.decode()
    assert "read independently by 2 analysts" in page
    # Stance units (s,s) (s,m) (n,none): n=6, n_s 3, n_m 1, n_n 1, n_x 1; observed Σoδ² =
    # 2·0.5 + 2·1 = 3; expected: s–m 3·1·.5·2 = 3, s–n 3, s–x 6, m–n .5, m–x 2, n–x 2 → 16.5;
    # α = 1 − 5·3/16.5 = 0.09.
    assert "α&nbsp;=&nbsp;0.09" in page
    assert "weigh these stances with care" in page


def test_reading_view_of_a_single_reading_says_nothing(client, reviewer):
    source = publish_source(source=SourceFactory(body=BODY), by=reviewer)
    assert "read independently" not in client.get(f"/sources/{source.slug}/").content.decode()


def test_a_recorded_edit_is_in_the_deciders_name_and_the_stances_stay_the_readers(double):
    # Decisions kept as data are applied by an operator's byline, who holds no reviewer
    # permission (the seed corpus's adjudicator).
    source, carol, dave, claims, assignments = double
    operator = UserFactory(username="operator")
    finish(assignments)
    decisions = [
        adjudicating.RecordedDecision(27, 55, "accept", dave.pk),
        adjudicating.RecordedDecision(
            56, 75, "edit", carol.pk, {"kind": "factual", "stances": {"russia-backs": "neutral"}}
        ),
    ]
    adjudicating.apply_recorded(source=source, decisions=decisions, by=operator)
    edited = Claim.objects.get(pk=claims["c3"].pk)
    latest = edited.history.order_by("-history_date").first()
    assert (latest.history_type, latest.kind, latest.history_user) == ("~", "factual", operator)
    added = edited.stances.get()
    assert (added.proposition.slug, added.annotator) == ("russia-backs", carol)
    assert added.history.get().history_user == operator
    removed = Stance.history.get(
        claim_id=edited.pk, proposition__slug="iran-objects", history_type="-"
    )
    assert removed.history_user == operator


def test_a_recorded_edit_with_an_unknown_label_is_refused(double, reviewer):
    source, carol, dave, claims, assignments = double
    finish(assignments)
    decisions = [
        adjudicating.RecordedDecision(27, 55, "accept", dave.pk),
        adjudicating.RecordedDecision(56, 75, "edit", carol.pk, {"stances": {"russia-backs": "?"}}),
    ]
    with pytest.raises(adjudicating.AdjudicationError, match="'\\?' is not a stance label"):
        adjudicating.apply_recorded(source=source, decisions=decisions, by=reviewer)
    assert [s.label for s in claims["c3"].stances.all()] == ["neutral"]
