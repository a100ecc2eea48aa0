"""The import screens in a real browser: an editor uploads files, reads the preview (the cleaned
text and what was removed; the dry-run report) and confirms; the sources and claims are saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.models import Claim, Proposition, Source

from . import test_annotation_browser

editor_login = test_annotation_browser.editor_login  # the fixture, shared
log_in = test_annotation_browser.log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BRAT = Path(__file__).parent.parent / "data" / "brat"
PAGE = """<html><head><title>Gas deal stalls</title><meta name="author" content="Anna Petrova">
</head><body><nav>Home · Energy · About</nav><article><h1>Gas deal stalls</h1>
<p>By Anna Petrova | 20 November 2024</p>
<p>The swap between Moscow and Tehran has stalled over pricing, three officials said.</p>
<h2>Why the price matters</h2><ul><li>Volumes: two billion cubic metres.</li>
<li>Route: through Azerbaijan.</li></ul><p>Share this article: Facebook Twitter</p>
<p>Iran wants a discount that would make the swap cheaper than its own gas.</p></article>
<aside><h3>Related posts</h3><ul><li>Oil and sanctions</li></ul></aside></body></html>"""


def test_editor_previews_and_imports_sources_then_their_annotations(
    open_tab, editor_login, tmp_path
):
    page_file = tmp_path / "gas-deal.html"
    page_file.write_text(PAGE, "utf-8")
    tab = open_tab()
    log_in(tab, editor_login)

    tab.open("/admin/claims/source/")
    tab.page.click("text=Import sources")
    tab.page.set_input_files("#id_files", [str(page_file), str(BRAT / "essay02.txt")])
    tab.page.check("#id_verbatim")
    tab.page.click("input[value=Preview]")
    assert tab.page.get_by_text("HTML cannot be kept verbatim").count() == 1
    tab.page.uncheck("#id_verbatim")
    tab.page.set_input_files("#id_files", [str(page_file)])
    tab.page.click("input[value=Preview]")
    tab.page.wait_for_selector("text=nothing has been saved yet")
    tab.shoot("import-sources-preview")
    assert not Source.objects.filter(slug="gas-deal-stalls").exists()
    tab.page.click("input[type=submit][value^=Import]")
    tab.page.wait_for_selector("text=Imported 1 source(s) as drafts.")
    gas = Source.objects.get(slug="gas-deal-stalls")
    assert "Share this" not in gas.body and "Oil and sanctions" not in gas.body

    tab.open("/admin/claims/source/import/")
    tab.page.set_input_files("#id_files", [str(BRAT / "essay02.txt")])
    tab.page.check("#id_verbatim")
    tab.page.click("input[value=Preview]")
    tab.page.click("input[type=submit][value^=Import]")
    essay = Source.objects.get(slug="essay02")
    assert essay.body == (BRAT / "essay02.txt").read_bytes().decode()

    tab.open("/admin/claims/claim/import/")
    Proposition.objects.create(slug="essay-thesis", text="The essay's thesis holds.")
    tab.page.set_input_files("#id_files", [str(BRAT / "essay02.ann"), str(BRAT / "essay02.txt")])
    tab.page.set_input_files("#id_mapping", str(BRAT / "mapping.toml"))
    tab.page.check("#id_partial")
    tab.page.click("input[value='Dry run']")
    tab.page.wait_for_selector("text=discontinuous span")
    tab.shoot("import-annotations-dry-run")
    tab.page.click("input[type=submit][value=Import]")
    tab.page.wait_for_selector("text=Annotations imported")
    assert Claim.objects.filter(source=essay).count() == 3
    assert not tab.errors
