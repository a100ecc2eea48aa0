"""The public pages in a real browser: layout at two widths, deep links, keyboard access, CSP.

Screenshots of every page at desktop and phone width go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "topic-zangezur": "/topics/zangezur-corridor/",
    "topic-south-caucasus": "/topics/south-caucasus/",
    "proposition": "/propositions/russia-tilts-toward-azerbaijan/",
    "source": "/sources/russia-and-iran-diverge-in-the-south-caucasus/",
    "source-lists": "/sources/does-russia-support-iran/",
    "publisher": "/publishers/geopolitical-futures/",
    "author": "/authors/vali-kaleji/",
    "compare": "/compare/?a=russia-and-iran-new-divides&b=iran-russia-alliance-ejp",
    "compare-picker": "/compare/",
    "search": "/search/?q=Zangezur+corridor",
    "not-found": "/no-such-page/",
}


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + min(box["height"], 40) <= size["height"]
        and box["x"] >= 0
    )


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_page_renders_cleanly(open_tab, width, viewport):
    tab = open_tab(viewport)
    for name, path in PAGES.items():
        tab.errors.clear()
        response = tab.open(path)
        assert response.status == (404 if name == "not-found" else 200), path
        if name == "not-found":
            # The browser reports the page's own 404 status; nothing else may go wrong.
            tab.errors[:] = [e for e in tab.errors if "status of 404" not in e]
        tab.shoot(f"{name}-{width}")
        # Nothing sticks out sideways: wide tables and maps scroll inside their own box.
        overflow = tab.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{path} is {overflow}px wider than the {width} viewport"
        assert tab.page.locator("h1").count() == 1, path
        # CSP violations, missing files and script errors all show up in the console.
        assert tab.errors == [], path


def test_a_matrix_cell_leads_to_the_exact_span_in_the_text(open_tab):
    tab = open_tab(DESKTOP)
    tab.open("/topics/zangezur-corridor/")
    cell = tab.page.locator("td.cell--supports a.cell__link").first
    href = cell.get_attribute("href")
    claim = re.search(r"#claim-(\d+)$", href).group(1)
    cell.click()
    tab.page.wait_for_url(re.compile(rf"/sources/[\w-]+/#claim-{claim}$"))
    segments = tab.page.locator(f'mark.seg[data-claims~="{claim}"]')
    first = segments.first
    first.wait_for(state="visible")
    tab.page.wait_for_function(
        "id => document.querySelector(`mark.seg[data-claims~='${id}']`).classList"
        ".contains('is-target')",
        arg=claim,
    )
    assert in_viewport(tab.page, first)
    for index in range(segments.count()):
        assert "is-target" in segments.nth(index).get_attribute("class")
    # The anchor is the browser's :target, and the claim's note beside the text is marked.
    assert tab.page.evaluate("document.querySelector(':target').id") == f"claim-{claim}"
    assert "is-target" in tab.page.locator(f"#note-{claim}").get_attribute("class")
    tab.shoot("deep-link", full_page=False)
    assert tab.errors == []


def test_keyboard_focus_reveals_the_quote_and_escape_hides_it(open_tab):
    tab = open_tab(DESKTOP)
    tab.open("/topics/zangezur-corridor/")
    page = tab.page
    first_cell = page.locator("a.cell__link").first
    tooltip = page.locator("#" + first_cell.get_attribute("aria-describedby"))
    assert not tooltip.is_visible()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cell__link')"):
            break
    else:
        pytest.fail("Tab never reached a matrix cell")
    focused = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert focused == first_cell.get_attribute("aria-describedby")
    assert tooltip.is_visible()
    assert "“" in tooltip.inner_text()
    tab.shoot("focus-quote", full_page=False)
    page.keyboard.press("Escape")
    assert not tooltip.is_visible()
    page.keyboard.press("Tab")
    assert page.locator("div.pop:visible").count() == 1  # the next cell's quote
    assert tab.errors == []


def test_hovering_a_cell_reveals_its_quote(open_tab):
    tab = open_tab(DESKTOP)
    tab.open("/topics/south-caucasus/")
    cell = tab.page.locator("td.cell--contradicts").first
    cell.hover()
    assert cell.locator(".pop").is_visible()


def test_on_a_phone_the_quotes_are_shown_without_hover(open_tab):
    tab = open_tab(PHONE)
    # The columns are the sources speaking on the topic; here some are silent on a proposition.
    tab.open("/topics/south-caucasus/")
    assert tab.page.locator("td.cell--supports .pop").first.is_visible()
    assert tab.page.locator("td.cell--none").first.is_visible()


def test_three_clicks_from_home_to_the_sources_side_by_side(open_tab):
    tab = open_tab(DESKTOP)
    page = tab.page
    tab.open("/")
    page.get_by_role("link", name="Zangezur corridor", exact=True).first.click()
    page.wait_for_url(re.compile(r"/topics/zangezur-corridor/$"))
    page.locator('th.matrix__prop a[href="/propositions/russia-backs-zangezur-corridor/"]').click()
    page.wait_for_url(re.compile(r"/propositions/russia-backs-zangezur-corridor/$"))
    assert page.locator("article.column").count() == 3
    silent = page.locator(".silent__list li")
    assert silent.count() == 2
    tab.shoot("three-clicks", full_page=False)
    assert tab.errors == []


def test_a_heatmap_square_opens_the_comparison(open_tab):
    tab = open_tab(DESKTOP)
    tab.open("/")
    tab.page.locator("svg.heatmap a.heat-link").first.click()
    tab.page.wait_for_url(re.compile(r"/compare/\?a=[\w-]+&b=[\w-]+$"))
    assert tab.page.locator(".agreement-figure__number").is_visible()
    assert tab.errors == []
