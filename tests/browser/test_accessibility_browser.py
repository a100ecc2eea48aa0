"""axe-core on every public page type, at desktop and phone widths: no serious or critical
violation. axe-core comes from npm (tests/browser/js, exact version in the lockfile) and is
evaluated in the page by Playwright, outside the page's Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser]

AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"

PAGES = {
    "home": "/",
    "topic": "/topics/zangezur-corridor/",
    "proposition": "/propositions/russia-backs-zangezur-corridor/",
    "reading": "/sources/does-russia-support-iran/",
    "compare": "/compare/?a=does-russia-support-iran&b=corridor-dividing-russia-and-iran",
    "search": "/search/?q=corridor",
}
# Checked by axe as well (not a page type Lighthouse is asked to score).
MORE_PAGES = {"cite": "/claims/{claim}/cite/"}


def serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation(open_tab, viewport):
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make js`.")
    from claims.models import Claim

    claim = Claim.objects.published().order_by("pk").first()
    tab = open_tab(viewport)
    found = {}
    more = {name: path.format(claim=claim.pk) for name, path in MORE_PAGES.items()}
    for name, path in {**PAGES, **more}.items():
        assert tab.open(path).status == 200, path
        violations = serious_violations(tab.page)
        if violations:
            found[name] = violations
    assert found == {}


def test_the_agreement_map_fits_a_phone_as_a_list(open_tab):
    tab = open_tab({"width": 390, "height": 844})
    tab.open("/")
    page = tab.page
    assert page.locator(".heatmap-figure").is_hidden()
    pairs = page.locator(".heat-list li")
    assert pairs.count() == 10  # 5 sources, each pair once
    assert pairs.first.locator("a").inner_text().strip()[0].isdigit()  # the figure first
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tab.shoot("home-phone")

    desktop = open_tab(DESKTOP)
    desktop.open("/")
    assert desktop.page.locator(".heatmap-figure").is_visible()
    assert desktop.page.locator(".heat-list").is_hidden()


def test_compare_links_are_big_enough_to_touch(open_tab):
    tab = open_tab(PHONE)
    tab.open(PAGES["compare"])
    sizes = tab.page.eval_on_selector_all(
        ".quote__link", "links => links.map(a => [a.offsetWidth, a.offsetHeight])"
    )
    assert sizes and all(w >= 24 and h >= 24 for w, h in sizes)
    tab.shoot("compare-phone")


def test_time_axis_search_and_citation_pages(open_tab):
    from claims.models import Claim

    tab = open_tab(DESKTOP)
    tab.open(PAGES["proposition"])
    assert tab.page.locator(".timeline-chart").is_visible()
    tab.page.locator("#timeline-heading").scroll_into_view_if_needed()
    tab.shoot("proposition-timeline-desktop", full_page=False)
    tab.open("/search/?q=drone")
    assert tab.page.locator("mark").count() > 0
    tab.shoot("search-drone-desktop")
    claim = Claim.objects.published().order_by("pk").first()
    tab.open(f"/claims/{claim.pk}/cite/")
    assert tab.page.locator(".cite-copy").first.is_visible()  # the script showed the buttons
    tab.shoot("cite-desktop")
    assert tab.errors == []
