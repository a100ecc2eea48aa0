"""Suggestions on the annotation screen in a real browser: select words, the likely
propositions appear, one click on a stance saves the claim with it."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission

from claims.models import Claim, Proposition, Stance
from tests.factories import SourceFactory, UserFactory

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
groups_migration = importlib.import_module("claims.migrations.0003_editorial_groups")
test_annotation = importlib.import_module("tests.browser.test_annotation_browser")


@pytest.fixture
def editor_login(seeded):
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="claims", codename__in=groups_migration.editor_codenames()
        )
    )
    user = UserFactory(username="carol-browser", is_staff=True, password=PASSWORD)
    user.groups.add(group)
    return user


def test_select_words_pick_a_suggestion_and_the_stance_is_saved(open_tab, editor_login):
    # A text that repeats, in other words, what one seed proposition says.
    proposition = Proposition.objects.order_by("slug").first()
    sentence = proposition.text.rstrip(".") + ", officials said"
    source = SourceFactory(body=f"A short dispatch.\n\n{sentence}.\n\nNothing else follows.")
    tab = open_tab(DESKTOP)
    test_annotation.log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page = tab.page

    test_annotation.select_words(page, sentence)
    first = page.locator("[data-suggestion-list] .suggestion").first
    first.wait_for()
    assert page.locator("[data-suggestion-list] .suggestion").count() == 5
    button = first.locator("button[value$='|contradicts']")
    assert button.get_attribute("value") == f"{proposition.slug}|contradicts"
    first.scroll_into_view_if_needed()
    tab.shoot("suggest-after-selection", full_page=False)

    button.click()
    page.wait_for_url("**/annotate/#claim-*")
    claim = Claim.objects.get(source=source)
    assert claim.quote == sentence
    stance = Stance.objects.get(claim=claim)
    assert (stance.proposition_id, stance.label) == (proposition.pk, "contradicts")
    assert stance.annotator == editor_login
    tab.shoot("suggest-after-pick")
    assert tab.errors == []


def test_typing_words_offers_propositions_by_wording(open_tab, editor_login):
    proposition = Proposition.objects.order_by("slug").first()
    source = SourceFactory(body="Some words to annotate here.")
    tab = open_tab(DESKTOP)
    test_annotation.log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page = tab.page
    field = page.locator("#id_stance-proposition")
    field.press_sequentially(" ".join(proposition.text.split()[:6]), delay=10)
    option = page.locator(".proposition-finder .finder-option").first
    option.wait_for()
    assert option.text_content() == proposition.text
    option.click()
    assert field.input_value() == proposition.slug
    tab.shoot("suggest-typing", full_page=False)
    assert tab.errors == []


def test_check_the_silence_and_confirm_it(open_tab, editor_login):
    from claims.models import ConfirmedSilence

    editor_login.groups.first().permissions.add(
        *Permission.objects.filter(codename__in=["add_confirmedsilence", "view_confirmedsilence"])
    )
    # A proposition the source's text bears on in one sentence only, and none of its claims.
    proposition = Proposition.objects.order_by("slug").first()
    sentence = proposition.text
    source = SourceFactory(body=f"Weather was mild.\n\n{sentence}\n\nMarkets were calm.")
    tab = open_tab(DESKTOP)
    test_annotation.log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/?silence={proposition.slug}#silence")
    page = tab.page
    sentences = page.locator(".silence-sentences [data-select-start]")
    assert sentences.count() == 1 and sentences.first.text_content() == sentence
    sentences.first.click()
    assert page.locator('[data-role="quote"]').input_value() == sentence
    page.locator("[data-suggestion-list] .suggestion").first.wait_for()
    page.locator("#silence").scroll_into_view_if_needed()
    tab.shoot("suggest-silence-check", full_page=False)

    page.click("text=Confirm: the source is silent on it")
    page.wait_for_load_state("load")
    silence = ConfirmedSilence.objects.get(source=source, proposition=proposition)
    assert silence.confirmed_by == editor_login
    assert tab.errors == []
