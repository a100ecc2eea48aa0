"""The annotation screen in a real browser: an editor marks a claim by selecting words with the
mouse, gives it a stance on a new proposition, edits it, deletes it and undoes the delete; and
offsets stay right when characters beyond the Basic Multilingual Plane precede the selection."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission

from claims.models import Claim, Proposition, Source
from claims.revisions import start_revision
from tests.factories import SourceFactory, UserFactory

from .conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
groups_migration = importlib.import_module("claims.migrations.0003_editorial_groups")


@pytest.fixture
def editor_login(seeded):
    """Alice, in the Editors group (recreated here: the live server's database is emptied
    between browser tests, migration data included)."""
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="claims", codename__in=groups_migration.editor_codenames()
        )
    )
    user = UserFactory(username="alice-browser", is_staff=True, password=PASSWORD)
    user.groups.add(group)
    return user


def log_in(tab, user) -> None:
    tab.open("/admin/login/")
    tab.page.fill("#id_username", user.username)
    tab.page.fill("#id_password", PASSWORD)
    tab.page.click("input[type=submit]")
    tab.page.wait_for_url("**/admin/")


def select_words(page, words: str) -> None:
    """Drag the mouse across `words` in the text, as an editor would."""
    box = page.evaluate(
        """(words) => {
            const root = document.querySelector('[data-annotate-text]');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.textContent.indexOf(words);
                if (at === -1) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + words.length);
                range.startContainer.parentElement.scrollIntoView({block: 'center'});
                const rects = range.getClientRects();
                const first = rects[0], last = rects[rects.length - 1];
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        words,
    )
    assert box, f"{words!r} is not in the text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    page.wait_for_timeout(100)


def test_editor_marks_edits_deletes_and_restores_a_claim(open_tab, editor_login):
    # A published revision is read-only: claims are marked on the source's working copy.
    published = Source.objects.get(slug="russia-and-iran-new-divides")
    source = start_revision(source=published, by=None)
    sentence = "These disagreements have strained diplomatic relations between the two nations"
    tab = open_tab(DESKTOP)
    log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page = tab.page

    select_words(page, sentence)
    assert page.input_value("#id_quote") == sentence
    start = int(page.input_value("#id_start"))
    assert source.body[start : start + len(sentence)] == sentence
    tab.shoot("annotate-selection", full_page=False)

    page.select_option("#id_kind", "analysis")
    page.fill("#id_stance-new_proposition", "Russia and Iran's diplomatic relations are strained.")
    page.select_option("#id_stance-label", "supports")
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    assert "Claim created" in page.inner_text(".messagelist")

    claim = Claim.objects.get(source=source, quote=sentence)
    assert claim.created_by == editor_login
    stance = claim.stances.get()
    assert (stance.label, stance.annotator) == ("supports", editor_login)
    assert Proposition.objects.filter(
        text="Russia and Iran's diplomatic relations are strained."
    ).exists()
    # The new claim is highlighted in the text, and the list finds it.
    assert page.locator(f'[data-claims~="{claim.pk}"]').count() >= 1
    tab.shoot("annotate-created", full_page=False)

    # Edit: change the kind and write a note.
    page.click(f"#item-{claim.pk} a.button:has-text('Edit')")
    page.wait_for_load_state("load")
    page.select_option("#id_kind", "factual")
    page.fill("#id_note", "Read with the preceding paragraph.")
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    claim.refresh_from_db()
    assert (claim.kind, claim.note) == ("factual", "Read with the preceding paragraph.")

    # Delete, then undo from "Recently deleted".
    page.click(f"#item-{claim.pk} .delete-button")
    page.wait_for_load_state("load")
    assert not Claim.objects.filter(pk=claim.pk).exists()
    page.click(".deleted button:has-text('Restore')")
    page.wait_for_load_state("load")
    restored = Claim.objects.get(pk=claim.pk)
    assert restored.quote == sentence and restored.kind == "factual"
    assert restored.stances.get().label == "supports"
    assert not tab.errors, tab.errors


def test_selection_after_emoji_and_maths_letters_stores_the_selected_text(open_tab, editor_login):
    body = (
        "Flags 🇮🇷🇷🇺 and faces 😀 come first, then 𝐀𝐁𝐂 letters.\n\n"
        "Tehran called the corridor a red line for Iran."
    )
    source = SourceFactory(title="Emoji first", body=body)
    tab = open_tab(DESKTOP)
    log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page = tab.page

    select_words(page, "called the corridor a red line")
    quote = page.input_value("#id_quote")
    assert quote == "called the corridor a red line"
    start = int(page.input_value("#id_start"))
    # Code points, not UTF-16 units: the emoji and letters before count one each.
    assert start == body.index("called")
    page.select_option("#id_kind", "factual")
    # Whose view, with one key in the text: R for a reported view.
    page.focus("[data-annotate-text]")
    page.keyboard.press("r")
    assert page.is_checked('input[name="attribution"][value="reported"]')
    page.click("#claim-form input[type=submit]")
    page.wait_for_load_state("load")
    claim = Claim.objects.get(source=source)
    assert claim.quote == quote == body[claim.start : claim.end]
    assert claim.attribution == "reported"
    assert not tab.errors, tab.errors


def test_keyboard_selection_fills_the_form(open_tab, editor_login):
    source = SourceFactory(title="Keyboard", body="😀 Moscow backs the corridor.")
    tab = open_tab(DESKTOP)
    log_in(tab, editor_login)
    tab.open(f"/admin/claims/source/{source.pk}/annotate/")
    page = tab.page
    text = page.locator("[data-annotate-text]")
    text.click(position={"x": 2, "y": 2})
    page.keyboard.press("Home")
    for _ in range(2):  # past the emoji and the space
        page.keyboard.press("ArrowRight")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowRight")
    assert page.input_value("#id_quote") == "Moscow"
    assert page.input_value("#id_start") == "2"
    # The text itself cannot be edited from the keyboard.
    page.keyboard.type("xyz")
    assert "xyz" not in text.inner_text()
