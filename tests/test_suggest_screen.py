"""Suggestions, near-duplicates and the silence check on the annotation screen and in the
admin, driven as plain form posts (the screen works without JavaScript)."""

import pytest
from django.urls import reverse

from claims import revisions
from claims.models import Claim, ConfirmedSilence, Proposition, Stance
from claims.suggesting.propositions import suggest

from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Moscow backs the corridor through Syunik. Tehran calls it a red line.\n\n"
    "Pelicans winter on the Caspian shore every year."
)


@pytest.fixture
def source():
    return SourceFactory(body=BODY)


def url_for(source) -> str:
    return reverse("admin:claims_source_annotate", args=[source.pk])


def save(client, source, **fields):
    data = {
        "action": "save",
        "source": source.pk,
        "kind": "analysis",
        "note": "",
        "start": 0,
        "end": 40,
        "quote": BODY[:40],
        "stance-proposition": "",
        "stance-new_proposition": "",
        "stance-label": "",
        **fields,
    }
    return client.post(url_for(source), data)


def test_editing_a_seed_claim_suggests_its_proposition_with_one_click_stances(client, editor):
    # The first seed stance whose proposition the ranker puts in the claim's top five.
    stance = next(
        s
        for s in Stance.objects.select_related("claim", "proposition").order_by("pk")
        if s.proposition in [found.proposition for found in suggest(s.claim.quote)]
    )
    # Seed sources are published: editors edit a seed claim on the working copy.
    copy = revisions.start_revision(source=stance.claim.source, by=editor)
    twin = Claim.objects.get(source=copy, revision_of=stance.claim)
    client.force_login(editor)
    response = client.get(url_for(copy), {"claim": twin.pk})
    html = response.content.decode()
    assert html.count('class="suggestion"') == 5
    assert f'value="{stance.proposition.slug}|supports"' in html
    assert f'value="{stance.proposition.slug}|contradicts"' in html
    assert "already addressed in this source" in html


def test_one_click_saves_the_claim_with_the_picked_stance(client, editor, source):
    proposition = Proposition.objects.first()
    client.force_login(editor)
    response = save(client, source, pick=f"{proposition.slug}|contradicts")
    assert response.status_code == 302, response.content[:3000]
    stance = Stance.objects.get(claim__source=source)
    assert (stance.proposition, stance.label, stance.annotator) == (
        proposition,
        "contradicts",
        editor,
    )


def test_a_pick_with_a_bad_label_is_refused_naming_the_field(client, editor, source):
    client.force_login(editor)
    response = save(client, source, pick=f"{Proposition.objects.first().slug}|maybe")
    assert response.status_code == 400
    assert not Claim.objects.filter(source=source).exists()


def test_the_proposition_field_takes_the_wording(client, editor, source):
    proposition = Proposition.objects.first()
    client.force_login(editor)
    wording = "  " + proposition.text.upper() + " "
    response = save(client, source, **{"stance-proposition": wording, "stance-label": "supports"})
    assert response.status_code == 302, response.content[:3000]
    assert Stance.objects.get(claim__source=source).proposition == proposition


def test_an_unknown_wording_is_refused_with_the_closest_propositions(client, editor, source):
    proposition = Proposition.objects.first()
    client.force_login(editor)
    response = save(
        client,
        source,
        **{"stance-proposition": proposition.text[:-1] + " maybe", "stance-label": "supports"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No proposition has that name or wording" in html and "Closest:" in html
    assert proposition.slug in html


def test_a_new_near_duplicate_is_shown_first_with_use_this_one(client, editor, source):
    existing = Proposition.objects.first()
    client.force_login(editor)
    fields = {
        "stance-new_proposition": existing.text.rstrip(".") + " today.",
        "stance-label": "supports",
    }
    response = save(client, source, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Close to existing propositions" in html
    assert f'value="{existing.slug}|supports"' in html
    assert not Claim.objects.filter(source=source).exists()
    count = Proposition.objects.count()

    response = save(client, source, **fields, **{"stance-confirm_distinct": "on"})
    assert response.status_code == 302
    assert Proposition.objects.count() == count + 1
    assert (
        Stance.objects.get(claim__source=source).proposition.text
        == fields["stance-new_proposition"]
    )


def test_the_screen_never_ships_every_proposition(client, editor, source):
    PropositionFactory.create_batch(30, text="Marker wording zqxj number")
    client.force_login(editor)
    html = client.get(url_for(source)).content.decode()
    assert "zqxj" not in html
    assert "proposition-options" not in html


# --- the silence check ----------------------------------------------------------------------


def test_the_silence_check_lists_the_sentences_that_bear_on_it(client, editor, source):
    proposition = PropositionFactory(text="Pelicans spend the winter on the Caspian.")
    client.force_login(editor)
    response = client.get(url_for(source), {"silence": proposition.text})
    html = response.content.decode()
    start = BODY.index("Pelicans")
    assert f'data-select-start="{start}" data-select-end="{len(BODY)}"' in html
    assert "Tehran calls it" not in html.split('class="silence-sentences"')[1].split("</ol>")[0]
    assert 'value="confirm-silence"' in html


def test_a_sentence_link_prefills_the_claim_form(client, editor, source):
    client.force_login(editor)
    start = BODY.index("Pelicans")
    html = client.get(url_for(source), {"start": start, "end": len(BODY)}).content.decode()
    assert f'value="{start}"' in html and "Pelicans winter on the Caspian shore" in html


def test_confirming_a_silence_records_who_and_when(client, editor, source):
    proposition = PropositionFactory()
    client.force_login(editor)
    response = client.post(
        url_for(source),
        {"action": "confirm-silence", "proposition": proposition.slug, "note": "read twice"},
    )
    assert response.status_code == 302
    silence = ConfirmedSilence.objects.get(source=source, proposition=proposition)
    assert silence.confirmed_by == editor and silence.confirmed_at and silence.note == "read twice"
    assert silence.history.count() == 1
    html = client.get(url_for(source)).content.decode()
    assert "Confirmed silent" in html and 'value="withdraw-silence"' in html

    client.post(url_for(source), {"action": "withdraw-silence", "proposition": proposition.slug})
    assert not ConfirmedSilence.objects.filter(pk=silence.pk).exists()
    assert silence.history.count() == 2


def test_a_source_with_a_claim_on_it_cannot_be_confirmed_silent(client, editor, source):
    stance = StanceFactory(claim=ClaimFactory(source=source, span=(0, 6)))
    client.force_login(editor)
    client.post(
        url_for(source), {"action": "confirm-silence", "proposition": stance.proposition.slug}
    )
    assert not ConfirmedSilence.objects.exists()
    # The admin's add form keeps the same rule.
    response = client.post(
        reverse("admin:claims_confirmedsilence_add"),
        {"source": source.pk, "proposition": stance.proposition.pk, "note": ""},
    )
    assert response.status_code == 200
    assert "it is not silent" in response.content.decode()
    assert not ConfirmedSilence.objects.exists()


def test_a_claim_added_later_removes_the_silence(client, editor, source):
    proposition = PropositionFactory()
    ConfirmedSilence.objects.create(source=source, proposition=proposition, confirmed_by=editor)
    client.force_login(editor)
    response = save(
        client, source, **{"stance-proposition": proposition.slug, "stance-label": "neutral"}
    )
    assert response.status_code == 302
    assert not ConfirmedSilence.objects.filter(source=source, proposition=proposition).exists()


def test_a_reader_without_the_permission_cannot_confirm(client, source):
    from .factories import UserFactory

    viewer = UserFactory(username="viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_claim"))
    client.force_login(viewer)
    response = client.post(
        url_for(source),
        {"action": "confirm-silence", "proposition": PropositionFactory().slug},
    )
    assert response.status_code == 403
    assert not ConfirmedSilence.objects.exists()


# --- the admin's proposition form -----------------------------------------------------------


def test_admin_add_form_lists_near_duplicates_until_confirmed(client, editor):
    existing = Proposition.objects.first()
    client.force_login(editor)
    data = {"text": existing.text.rstrip(".") + " today.", "slug": "near-copy", "notes": ""}
    response = client.post(reverse("admin:claims_proposition_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Use this one" in html
    assert reverse("admin:claims_proposition_change", args=[existing.pk]) in html
    assert not Proposition.objects.filter(slug="near-copy").exists()
    response = client.post(
        reverse("admin:claims_proposition_add"), {**data, "confirm_distinct": "on"}
    )
    assert response.status_code == 302
    assert Proposition.objects.filter(slug="near-copy").exists()


def test_admin_edit_without_rewording_needs_no_confirmation(client, editor):
    existing = Proposition.objects.first()
    client.force_login(editor)
    page = client.get(reverse("admin:claims_proposition_change", args=[existing.pk]))
    seen = page.context["adminform"].form["seen_version"].value()
    response = client.post(
        reverse("admin:claims_proposition_change", args=[existing.pk]),
        {
            "text": existing.text,
            "slug": existing.slug,
            "notes": "clarified",
            "topics": [t.pk for t in existing.topics.all()],
            "seen_version": seen,
        },
    )
    assert response.status_code == 302, response.content[:3000]
