"""Exported annotations are re-found on the live reading view by a real W3C client.

Apache Annotator (`@apache-annotator/dom` and `/selector`, pinned in tests/browser/js/) is
bundled by esbuild into one script and added to each published source's reading view in
Chromium. Every annotation of the Web Annotation export is then resolved there the way a
client would: the CssSelector picks the element holding the text, and the TextQuoteSelector
and TextPositionSelector refining it must each find the stored quote at the stored offsets.

The Node packages come from `make js` (npm ci; `make test` and `.ci/run` run it). Without them
the test is skipped locally and fails on CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from tests.api_helpers import SUMMARY_LINES

from .conftest import DESKTOP

pytestmark = pytest.mark.browser

JS = Path(settings.BASE_DIR) / "tests" / "browser" / "js"
BUNDLE = JS / "build" / "annotator.js"


def missing(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: the W3C client test must run on CI.")
    pytest.skip(message)


@pytest.fixture(scope="session")
def annotator_bundle() -> Path:
    """Apache Annotator as one script, built from the installed packages for this run."""
    esbuild = JS / "node_modules" / ".bin" / "esbuild"
    if shutil.which("node") is None:
        missing("node is not installed")
    if not esbuild.exists() or not (JS / "node_modules" / "@apache-annotator" / "dom").exists():
        missing("the Node packages are not installed (make js)")
    subprocess.run(
        [
            str(esbuild),
            "annotator.js",
            "--bundle",
            "--format=iife",
            "--target=chrome100",
            "--log-level=warning",
            f"--outfile={BUNDLE}",
        ],
        cwd=JS,
        check=True,
        timeout=120,
    )
    return BUNDLE


def exported(tab, base_url: str) -> list[dict]:
    """Every annotation of the one-file Web Annotation export, fetched like a client would."""
    response = tab.page.request.get(base_url + "/api/v1/exports/annotations.jsonld")
    assert response.status == 200
    return response.json()["first"]["items"]


def selectors_of(annotation: dict) -> dict[str, dict]:
    """The exported text selectors by type, wherever the target nests them."""
    found = {}
    for selector in annotation["target"]["selector"]:
        leaf = selector
        while "refinedBy" in leaf:
            leaf = leaf["refinedBy"]
        found[leaf["type"]] = leaf
    return found


def found(resolved: dict, quote: str) -> bool:
    """One element holds the text and the selector finds the quote there, once."""
    if resolved.get("error") or resolved["elements"] != 1 or len(resolved["matches"]) != 1:
        return False
    return resolved["matches"][0]["text"] == quote


def refound(resolved: dict, quote: str, start: int, end: int) -> bool:
    """Found, at the stored offsets of the element, and described back as the same quote."""
    if not found(resolved, quote):
        return False
    match = resolved["matches"][0]
    return (
        (match["start"], match["end"]) == (start, end)
        and match["described"] == quote
        and match["redescribed"] == [quote]
    )


class Tally:
    """Annotations re-found on the pages so far, and the ones that were not."""

    def __init__(self) -> None:
        self.total = self.by_quote = self.by_position = self.quote_anywhere = 0
        self.failures: list = []

    def line(self) -> str:
        return (
            f"re-found by quote {self.by_quote}/{self.total} "
            f"(found at all: {self.quote_anywhere}/{self.total}), "
            f"by position {self.by_position}/{self.total}"
        )


def resolve_page(tab, page_url: str, items: list[dict], tally: Tally) -> None:
    """Open the page, check its text element against the plain text, resolve `items` there."""
    tab.errors.clear()
    assert tab.page.goto(page_url).status == 200
    plain = tab.page.request.get(page_url + "text.txt")
    assert plain.status == 200
    # The element the export names holds exactly the text, as the DOM sees it.
    shown = tab.page.evaluate("document.querySelector('#source-text').textContent")
    assert shown == plain.body().decode("utf-8"), page_url
    results = tab.page.evaluate("items => window.resolveAnnotations(items)", items)
    assert tab.errors == [], page_url
    for annotation, result in zip(items, results, strict=True):
        wanted = selectors_of(annotation)
        quote = wanted["TextQuoteSelector"]["exact"]
        start = wanted["TextPositionSelector"]["start"]
        end = wanted["TextPositionSelector"]["end"]
        outcome = {r["type"]: refound(r, quote, start, end) for r in result["selectors"]}
        tally.total += 1
        tally.by_quote += outcome.get("TextQuoteSelector", False)
        tally.by_position += outcome.get("TextPositionSelector", False)
        tally.quote_anywhere += any(
            found(r, quote) for r in result["selectors"] if r["type"] == "TextQuoteSelector"
        )
        if not all(outcome.get(kind) for kind in wanted):
            tally.failures.append((annotation["id"], outcome, result["selectors"]))


def annotator_tab(open_tab, bundle: Path):
    tab = open_tab(DESKTOP)
    # An init script runs in every document the tab opens, before the page's own scripts.
    tab.context.add_init_script(path=str(bundle))
    return tab


def test_apache_annotator_refinds_every_exported_annotation(
    open_tab, live_server, annotator_bundle, request
):
    from claims.models import Claim, Source

    tab = annotator_tab(open_tab, annotator_bundle)
    annotations = exported(tab, live_server.url)
    assert len(annotations) == Claim.objects.published().count() > 0

    by_page = defaultdict(list)
    for annotation in annotations:
        by_page[annotation["target"]["source"]].append(annotation)
    pages = {
        f"{live_server.url}/sources/{slug}/"
        for slug in Source.objects.published().values_list("slug", flat=True)
    }
    assert set(by_page) == pages

    tally = Tally()
    for page_url, items in sorted(by_page.items()):
        resolve_page(tab, page_url, items, tally)
    request.config.stash.setdefault(SUMMARY_LINES, []).append(
        f"Apache Annotator on the seed reading views: {tally.line()}"
    )
    assert tally.failures == [], tally.failures[:3]
    assert tally.by_quote == tally.by_position == tally.total == len(annotations)


def test_an_awkward_text_is_refound_too(open_tab, live_server, annotator_bundle):
    from tests.awkward import QUOTES, awkward_source

    source = awkward_source()
    tab = annotator_tab(open_tab, annotator_bundle)
    page_url = f"{live_server.url}/sources/{source.slug}/"
    items = [a for a in exported(tab, live_server.url) if a["target"]["source"] == page_url]
    assert len(items) == len(QUOTES)
    tally = Tally()
    resolve_page(tab, page_url, items, tally)
    assert tally.failures == [], tally.failures[:3]
    assert tally.by_quote == tally.by_position == len(QUOTES)


def test_a_deep_link_marks_every_piece_of_a_claim_across_blocks(open_tab, live_server):
    from tests.awkward import awkward_source

    source = awkward_source()
    claim = source.claims.get(quote="café\n\nSecond item")
    tab = open_tab(DESKTOP)
    tab.open(f"/sources/{source.slug}/#claim-{claim.pk}")
    pieces = tab.page.locator(f'#source-text mark.seg[data-claims~="{claim.pk}"]')
    # One piece in each list item; the hidden line breaks between them are not drawn.
    assert pieces.count() == 2
    tab.page.wait_for_function(
        "id => [...document.querySelectorAll(`mark.seg[data-claims~='${id}']`)]"
        ".every(mark => mark.classList.contains('is-target'))",
        arg=str(claim.pk),
    )
    assert [pieces.nth(i).text_content() for i in range(2)] == ["café", "Second item"]
    # The DOM range from its first piece to its last holds the quote, line breaks included.
    spanned = tab.page.evaluate(
        """id => {
            const marks = document.querySelectorAll(`mark.seg[data-claims~='${id}']`);
            const range = document.createRange();
            range.setStartBefore(marks[0]);
            range.setEndAfter(marks[marks.length - 1]);
            return range.toString();
        }""",
        str(claim.pk),
    )
    assert spanned == claim.quote
    tab.shoot("awkward-deep-link")
    assert tab.errors == []
