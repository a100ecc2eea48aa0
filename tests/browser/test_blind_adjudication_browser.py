"""Two readers in a real browser: a blind reader does not see the other's claims until both are
done; a reviewer then adjudicates on the adjudication screen, and the accepted reading is what
the public reading view shows once the source is published."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission

from claims.assigning import assign_source
from claims.models import Claim, Source
from claims.publishing import publish_source, submit_for_review
from tests.factories import PropositionFactory, SourceFactory, UserFactory

from .conftest import DESKTOP
from .test_annotation_browser import PASSWORD, log_in, select_words

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

groups = importlib.import_module("claims.migrations.0003_editorial_groups")
assignments = importlib.import_module("claims.migrations.0018_assignments")

BODY = (
    "Moscow backs the corridor across southern Armenia.\n\n"
    "Tehran calls the corridor a red line for its border.\n\n"
    "Baku is waiting for the talks to resume."
)
FIRST = "Moscow backs the corridor across southern Armenia."
SECOND = "Tehran calls the corridor a red line for its border."


def group(name: str, codenames: list[str]) -> Group:
    made, _ = Group.objects.get_or_create(name=name)
    made.permissions.set(
        Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
    )
    return made


@pytest.fixture
def people(seeded):
    """Carol and Dave edit; Bob reviews (groups recreated: the live server's database is
    emptied between browser tests, migration data included)."""
    editor_codes = [*groups.editor_codenames(), *assignments.EDITOR]
    editors = group("Editors", editor_codes)
    reviewers = group("Reviewers", [*editor_codes, *assignments.REVIEWER, "publish_source"])
    carol = UserFactory(username="carol-browser", is_staff=True, password=PASSWORD)
    dave = UserFactory(username="dave-browser", is_staff=True, password=PASSWORD)
    bob = UserFactory(username="bob-browser", is_staff=True, password=PASSWORD)
    carol.groups.add(editors)
    dave.groups.add(editors)
    bob.groups.add(reviewers)
    return carol, dave, bob


def mark(tab, source, words: str, proposition: str, label: str) -> None:
    page = tab.page
    tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    select_words(page, words)
    page.select_option("#id_kind", "analysis")
    page.fill("#id_stance-proposition", proposition)
    page.select_option("#id_stance-label", label)
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    assert "Claim created" in page.inner_text(".messagelist")


def test_blind_reading_then_adjudication_publishes_the_accepted_reading(open_tab, people):
    carol, dave, bob = people
    source = SourceFactory(body=BODY, slug="two-readers")
    backs = PropositionFactory(slug="russia-backs-the-corridor")
    objects = PropositionFactory(slug="iran-objects-to-the-corridor")
    for reader in (carol, dave):
        assign_source(source=source, annotator=reader, blind=True, by=bob)

    # Carol reads first.
    carol_tab = open_tab(DESKTOP)
    log_in(carol_tab, carol)
    mark(carol_tab, source, FIRST, backs.slug, "supports")
    mark(carol_tab, source, SECOND, objects.slug, "supports")

    # Dave, reading blind, sees none of Carol's claims, on the screen or in the admin list.
    dave_tab = open_tab(DESKTOP)
    log_in(dave_tab, dave)
    dave_tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page = dave_tab.page
    assert page.is_visible("[data-blind-note]")
    assert page.locator("[id^=item-]").count() == 0
    dave_tab.shoot("blind-reader-before-done")
    dave_tab.open(f"/admin/claims/claim/?source__id__exact={source.pk}")
    assert FIRST not in page.inner_text("#content")
    mark(dave_tab, source, FIRST, backs.slug, "supports")
    mark(dave_tab, source, SECOND, objects.slug, "mixed")

    # Dave hands in: Carol's claims stay hidden while she is not done.
    dave_tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page.click("[data-finish-reading]")
    page.wait_for_load_state("load")
    assert "marked done" in page.inner_text(".messagelist")
    assert page.locator("[id^=item-]").count() == 2
    # Carol hands in; now each sees both readings.
    carol_tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    carol_tab.page.click("[data-finish-reading]")
    carol_tab.page.wait_for_load_state("load")
    dave_tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    assert not page.is_visible("[data-blind-note]")
    assert page.locator("[id^=item-]").count() == 4
    dave_tab.shoot("blind-reader-after-all-done")

    # Bob adjudicates: merge the agreed unit, accept Dave's reading of the disputed one.
    bob_tab = open_tab(DESKTOP)
    log_in(bob_tab, bob)
    bob_tab.open(f"/admin/claims/source/{source.pk}/adjudicate/")
    review = bob_tab.page
    assert review.locator("tr.unit").count() == 2
    assert review.locator("tr.disputed .diff").count() > 0
    bob_tab.shoot("adjudication-screen")
    review.click("[data-filter-disagreements]")
    review.wait_for_load_state("load")
    assert review.locator("tr.unit").count() == 1
    review.click(f"tr.disputed [data-accept='{dave.pk}']")
    review.wait_for_load_state("load")
    assert "Reading accepted" in review.inner_text(".messagelist")
    review.click("text=Show every unit")
    review.wait_for_load_state("load")
    review.click("[data-merge]")
    review.wait_for_load_state("load")
    assert review.locator("[data-pending]").get_attribute("data-pending") == "0"
    bob_tab.shoot("adjudication-decided")

    submit_for_review(source=Source.objects.get(pk=source.pk), by=bob)
    publish_source(source=Source.objects.get(pk=source.pk), by=bob)
    kept = Claim.objects.filter(source=source).order_by("start")
    assert [(c.created_by, [s.label for s in c.stances.all()]) for c in kept] == [
        (carol, ["supports"]),
        (dave, ["mixed"]),
    ]
    reader_tab = open_tab(DESKTOP)
    reader_tab.open(f"/sources/{source.slug}/")
    public = reader_tab.page.inner_text("main")
    assert "read independently by 2 analysts" in public
    assert reader_tab.page.locator(".note").count() == 2
    reader_tab.shoot("double-read-reading-view")
    for tab in (carol_tab, dave_tab, bob_tab, reader_tab):
        assert tab.errors == []
