"""Every quote and every highlight within reach, at desktop (1280 px) and phone (390 px) width.

The topic matrix: for every seed topic, each quote of each cell must be on screen and not
hidden by any ancestor (the matrix scrolls sideways inside its own box) when the cell is hovered
or focused; a pop-up taller than the room scrolls inside itself, so each quote is scrolled into
the pop-up's view first. "On screen and not hidden" is checked with the quote's bounding box
against the viewport and with `elementFromPoint` at three of its points, which must land on the
quote itself.

The reading view: for every seed source, stepping through the claims with the next-claim key
reaches every highlighted claim, focuses its first highlight and shows its note (in the margin
beside it on a desktop, in the bottom sheet on a phone); Tab reaches the highlights too.
"""

from __future__ import annotations

import pytest

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# The quote is brought into its pop-up's own view (and into the page's on a phone), then its
# box must lie in the viewport and its corners and centre must hit the quote itself.
SEEN = """
(quote) => {
  const pop = quote.closest('.pop');
  if (pop && pop.scrollHeight > pop.clientHeight) {
    pop.scrollTop = quote.offsetTop - 8;
  }
  const r = quote.getBoundingClientRect();
  const width = document.documentElement.clientWidth, height = window.innerHeight;
  const inside = r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
    && r.bottom <= height + 0.5 && r.right <= width + 0.5;
  const points = [[r.left + 3, r.top + 3], [r.right - 3, r.bottom - 3],
                  [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
  const hits = points.map(([x, y]) => {
    const found = document.elementFromPoint(x, y);
    return !!found && quote.contains(found);
  });
  return {inside, hits: hits.every(Boolean), box: [r.left, r.top, r.right, r.bottom]};
}
"""


def seed_topics() -> list[str]:
    from claims import selectors

    tree = selectors.topic_tree()
    tally = selectors.corpus_tally(tree)
    return sorted(t.slug for t in tree.topics.values() if t.pk in tally.per_topic)


def seed_sources() -> list[str]:
    from claims.models import Source

    return sorted(Source.objects.published().values_list("slug", flat=True))


def unseen_quotes(tab, how: str) -> tuple[int, list[str]]:
    """Open every cell of the page's matrix (by `how`: hover, focus or nothing on a phone) and
    return how many quotes were checked and a description of each not seen."""
    page = tab.page
    cells = page.locator("td.cell:has(.pop)")
    checked, unseen = 0, []
    for index in range(cells.count()):
        cell = cells.nth(index)
        link = cell.locator("a.cell__link")
        if how == "hover":
            link.scroll_into_view_if_needed()
            link.hover()
        elif how == "focus":
            page.mouse.move(0, 0)
            link.focus()
        quotes = cell.locator(".pop__quote")
        assert quotes.count() >= 1
        for number in range(quotes.count()):
            quote = quotes.nth(number)
            if how == "none":
                quote.scroll_into_view_if_needed()
            seen = quote.evaluate(SEEN)
            checked += 1
            if not (seen["inside"] and seen["hits"]):
                unseen.append(f"cell {index} quote {number}: {seen['box']}")
    return checked, unseen


@pytest.mark.parametrize("how", ["hover", "focus"])
def test_every_quote_of_every_cell_is_seen_on_a_desktop(open_tab, how):
    tab = open_tab(DESKTOP)
    total = 0
    for slug in seed_topics():
        tab.open(f"/topics/{slug}/")
        checked, unseen = unseen_quotes(tab, how)
        assert unseen == [], f"/topics/{slug}/ ({how}): {unseen}"
        total += checked
        if slug in ("syria", "zangezur-corridor"):
            tab.shoot(f"matrix-{slug}-{how}-desktop", full_page=False)
    assert total > 100  # every seed topic was read, not an empty page
    assert tab.errors == []


def test_every_quote_of_every_cell_is_seen_on_a_phone(open_tab):
    tab = open_tab(PHONE)
    for slug in seed_topics():
        tab.open(f"/topics/{slug}/")
        checked, unseen = unseen_quotes(tab, "none")
        assert checked and unseen == [], f"/topics/{slug}/: {unseen}"
    tab.shoot("matrix-south-caucasus-phone", full_page=False)
    assert tab.errors == []


def test_the_last_columns_quote_is_not_cut_at_1280(open_tab):
    tab = open_tab(DESKTOP)
    tab.open("/topics/syria/")
    why = tab.page.locator("td.cell:last-child .cell__why").first
    box = why.bounding_box()
    wrap = tab.page.locator(".matrix-wrap").bounding_box()
    assert box["x"] + box["width"] <= wrap["x"] + wrap["width"] + 0.5
    assert why.evaluate("e => e.scrollWidth <= e.clientWidth + 1")


def test_escape_closes_a_pop_up_and_a_tap_opens_one_without_leaving(browser, live_server, seeded):
    context = browser.new_context(viewport=DESKTOP, has_touch=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/topics/syria/")
        link = page.locator("td.cell--mixed a.cell__link").first
        pop = page.locator("td.cell--mixed .pop").first
        link.tap()
        assert pop.is_visible()
        assert page.url.endswith("/topics/syria/")  # the first tap opened the quotes only
        page.keyboard.press("Escape")
        assert not pop.is_visible()
    finally:
        context.close()


def step_through(tab, phone: bool) -> tuple[set[str], list[str]]:
    """Press the next-claim key through a reading view; the claims reached and any whose note
    did not show."""
    page = tab.page
    placed = page.evaluate(
        "[...new Set([...document.querySelectorAll('#source-text [id^=\"claim-\"]')]"
        ".map(e => e.id.slice(6)))]"
    )
    reached, missing = set(), []
    page.locator("h1").click()
    for _ in range(len(placed)):
        page.keyboard.press("j")
        claim = page.evaluate(
            "(() => { const s = document.activeElement; return s && s.matches('mark.seg') ? "
            "location.hash.slice(7) : null; })()"
        )
        if claim is None:
            missing.append("focus left the highlights")
            continue
        reached.add(claim)
        segment = page.locator(f'mark.seg[data-claims~="{claim}"]').first
        if phone:
            sheet = page.locator("[data-sheet]")
            quote = page.locator(f"#note-{claim} .note__stances").inner_text()
            shown = sheet.is_visible() and quote in sheet.inner_text()
            above = segment.evaluate(
                "(s, sheet) => s.getBoundingClientRect().top >= 0 && "
                "s.getBoundingClientRect().top < sheet.getBoundingClientRect().top",
                sheet.element_handle(),
            )
            if not (shown and above):
                missing.append(claim)
        else:
            note = page.locator(f"#note-{claim}")
            box = note.bounding_box()
            level = segment.bounding_box()
            if not (
                note.is_visible()
                and box["y"] >= 0
                and box["y"] < page.viewport_size["height"]
                and "is-target" in note.get_attribute("class")
                and level["y"] >= 0
            ):
                missing.append(claim)
    return reached, missing, set(placed)


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_highlight_is_reached_by_the_next_key_and_shows_its_note(open_tab, width, viewport):
    tab = open_tab(viewport)
    for slug in seed_sources():
        tab.open(f"/sources/{slug}/")
        reached, missing, placed = step_through(tab, width == "phone")
        assert placed, slug
        assert missing == [], f"{slug}: notes not shown for {missing}"
        assert reached == placed, f"{slug}: not reached {placed - reached}"
        if slug == "russia-and-iran-diverge-in-the-south-caucasus":
            tab.shoot(f"reading-step-{width}", full_page=False)
    assert tab.errors == []


def test_tab_reaches_the_highlights_and_opens_their_notes(open_tab):
    tab = open_tab(DESKTOP)
    page = tab.page
    tab.open("/sources/russia-and-iran-diverge-in-the-south-caucasus/")
    focusable = page.evaluate(
        "[...document.querySelectorAll('mark.seg')].every(m => m.tabIndex === 0)"
    )
    assert focusable
    page.locator("#source-text").evaluate("e => e.previousElementSibling.focus?.()")
    page.locator("select#filter-attribution").focus()
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('mark.seg')"):
            claims = page.evaluate("document.activeElement.dataset.claims.split(' ')")
            note = page.locator(f"#note-{claims[-1]}")
            assert "is-target" in note.get_attribute("class")
            assert note.is_visible()
            seen.append(claims[-1])
            if len(seen) == 5:
                break
    assert len(seen) == 5
    # The highlight is announced with its stances, propositions and whose view it is.
    description = page.evaluate(
        "document.activeElement.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' ')"
    )
    assert "supports" in description or "contradicts" in description
    assert tab.errors == []


def test_the_filters_dim_other_highlights_and_the_steps_follow_them(open_tab):
    tab = open_tab(DESKTOP)
    page = tab.page
    tab.open("/sources/russia-and-iran-diverge-in-the-south-caucasus/")
    page.select_option("select#filter-stance", "contradicts")
    page.locator("h1").click()
    for _ in range(3):
        page.keyboard.press("j")
        claim = page.evaluate("location.hash.slice(7)")
        labels = page.locator(f"#note-{claim}").get_attribute("data-labels").split()
        assert "contradicts" in labels
    dimmed = page.locator("mark.seg.is-dimmed")
    assert dimmed.count() > 0
    assert dimmed.first.get_attribute("tabindex") == "-1"
    shown = page.locator(".note:not(.is-filtered)").count()
    assert 0 < shown < page.locator(".note").count()
    tab.shoot("reading-filtered-desktop", full_page=False)
    assert tab.errors == []


def test_a_deep_link_opens_the_note_on_a_phone(open_tab):
    tab = open_tab(PHONE)
    page = tab.page
    tab.open("/sources/russia-and-iran-diverge-in-the-south-caucasus/")
    claim = page.locator("#source-text mark.seg[id^='claim-']").nth(10).get_attribute("id")
    tab.open(f"/sources/russia-and-iran-diverge-in-the-south-caucasus/#{claim}")
    sheet = page.locator("[data-sheet]")
    sheet.wait_for(state="visible")
    stances = page.locator(f"#note-{claim[6:]} .note__stances").inner_text()
    assert stances in sheet.inner_text()
    tab.shoot("reading-deep-link-phone", full_page=False)
    page.keyboard.press("Escape")
    assert not sheet.is_visible()
    assert tab.errors == []
