"""Two editors on the annotation screen, in a real browser: a "Set" stance and a claim edit
based on what the page showed before someone else saved are refused, keep what was chosen or
typed, and go through once the editor has seen the other change — which is kept."""

from __future__ import annotations

import pytest

from claims.annotating import add_stance, create_claim, set_stance, update_claim
from claims.models import Claim, Proposition, Source, Stance
from claims.revisions import start_revision
from tests.factories import UserFactory

from .conftest import DESKTOP
from .test_annotation_browser import editor_login, log_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "These disagreements have strained diplomatic relations between the two nations"


def working_copy() -> Source:
    """The seed source's working copy: a published revision is read-only, editors change a
    published source through its copy."""
    return start_revision(source=Source.objects.get(slug="russia-and-iran-new-divides"), by=None)


def own_claim(user) -> tuple[Source, Claim]:
    source = working_copy()
    start = source.body.index(SENTENCE)
    claim = create_claim(source=source, start=start, end=start + len(SENTENCE), by=user)
    return source, claim


def page_errors(tab) -> list[str]:
    # A refused save answers 409 on purpose; the browser reports that status on the console.
    return [e for e in tab.errors if "status of 409" not in e]


def test_set_stance_refused_then_applied_knowingly(open_tab, editor_login):  # noqa: F811
    source, claim = own_claim(editor_login)
    proposition = Proposition.objects.order_by("pk").first()
    stance = add_stance(claim=claim, proposition=proposition, label="supports", by=editor_login)
    other = UserFactory(username="bob-browser", is_superuser=True, is_staff=True)

    tab = open_tab(DESKTOP)
    log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/?claim={claim.pk}")
    page = tab.page

    # Meanwhile a reviewer adds a note to the stance.
    set_stance(stance=Stance.objects.get(pk=stance.pk), version=1, by=other, note="Checked.")

    page.select_option(f"#stance-{stance.pk}-label", "contradicts")
    page.click(f"#item-{claim.pk} form:has(#stance-{stance.pk}-label) button")
    page.wait_for_load_state("load")
    message = page.inner_text(".messagelist")
    assert "someone else changed this stance" in message and "Checked." in message
    assert page.input_value(f"#stance-{stance.pk}-label") == "contradicts"
    assert Stance.objects.get(pk=stance.pk).label == "supports"
    tab.shoot("annotate-set-stance-conflict", full_page=False)

    page.click(f"#item-{claim.pk} form:has(#stance-{stance.pk}-label) button")
    page.wait_for_load_state("load")
    assert "Stance set to contradicts" in page.inner_text(".messagelist")
    stored = Stance.objects.get(pk=stance.pk)
    assert (stored.label, stored.note) == ("contradicts", "Checked.")
    assert not page_errors(tab), tab.errors


def test_claim_edit_conflict_keeps_both_edits(open_tab, editor_login):  # noqa: F811
    source, claim = own_claim(editor_login)
    other = UserFactory(username="bob-browser", is_superuser=True, is_staff=True)

    tab = open_tab(DESKTOP)
    log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/?claim={claim.pk}")
    page = tab.page

    update_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=other, note="Bob's note")

    page.select_option("#id_kind", "opinion")
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    error = page.inner_text("#claim-form .errornote")
    assert "Someone else saved this claim" in error and "Bob's note" in error
    assert page.input_value("#id_kind") == "opinion"
    tab.shoot("annotate-claim-conflict", full_page=False)

    # Saving again without a choice is refused; choosing "Take theirs" for the note saves.
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    assert Claim.objects.get(pk=claim.pk).kind != "opinion"
    page.check("#claim-form input[name=resolve-note][value=theirs]")
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    assert "Claim updated" in page.inner_text(".messagelist")
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.kind, stored.note) == ("opinion", "Bob's note")
    assert not page_errors(tab), tab.errors


def test_source_form_conflict_shows_a_word_level_diff(open_tab, editor_login):  # noqa: F811
    from django.contrib.auth.models import Permission

    editor_login.user_permissions.add(Permission.objects.get(codename="change_source"))
    source = working_copy()
    tab = open_tab(DESKTOP)
    log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/change/")
    page = tab.page

    # Meanwhile someone changes one word deep in the text.
    theirs = source.body.replace("strained diplomatic", "soured diplomatic", 1)
    stored = Source.objects.get(pk=source.pk)
    from claims.editing import update_source_text

    update_source_text(source=stored, body=theirs, version=stored.version, by=None)

    page.fill("#id_title", "A title of mine")
    page.click("input[name=_save]")
    page.wait_for_load_state("load")
    diff = page.locator(".errorlist .word-diff")
    assert "strained" in diff.locator("del").first.inner_text()
    assert "soured" in diff.locator("ins").first.inner_text()
    assert page.input_value("#id_title") == "A title of mine"
    tab.shoot("source-conflict-diff", full_page=False)

    page.check("input[name=resolve-body][value=theirs]")
    page.click("input[name=_save]")
    page.wait_for_load_state("load")
    stored = Source.objects.get(pk=source.pk)
    assert (stored.title, stored.body) == ("A title of mine", theirs)
    assert not page_errors(tab), tab.errors
