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
    tab = open_tab(viewport)
    found = {}
    for name, path in PAGES.items():
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
