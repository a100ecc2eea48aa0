"""Generic page furniture, on captured pages of several shapes written for these tests (no DB)."""

import pytest

from claims.importing import cleaning, html
from claims.importing.cleaning import clean

BODY_MD = """# Baku and Yerevan talk again

By Maria de la Cruz and Tomás Novak | March 4, 2025

5 min read

Share this article: Facebook Twitter LinkedIn

Negotiators from both capitals met in Almaty for the third time this year.

## What changed

The two sides agreed on a border commission that will meet every month.

Related posts:

- Why the corridor matters
- Five things to know about Nakhchivan

Subscribe to our weekly newsletter for more analysis.

Observers expect a draft treaty before the summer recess.

About the author

Maria de la Cruz covers the South Caucasus from Tbilisi.

12 Comments

Great article, thanks!
"""

BODY_TXT = """Why Tehran worries
Posted on 12/05/2024 at 10:30
Written by: Reza Karimi
Tehran has watched the talks between its northern neighbours with growing unease.
Follow us on Twitter, Facebook
Iranian officials say any new route must not cut the border with Armenia.
You may also like
The view from Moscow
Ankara's long game
Comments (3)
Reader one: I disagree.
"""

BODY_HTML = """<!doctype html><html lang="en"><head><title>Gas deal stalls | Caspian Wire</title>
<meta name="author" content="Anna Petrova">
<meta property="article:published_time" content="2024-11-20T08:00:00Z"></head>
<body><header><nav><a href="/">Home</a><a href="/energy">Energy</a></nav></header>
<main><article><h1>Gas deal stalls</h1>
<p>The gas swap between Moscow and Tehran has stalled over pricing, three officials said.</p>
<h2>Why the price matters</h2>
<p>Iran wants a discount that would make the swap cheaper than its own production.</p>
<ul><li>Volumes: up to two billion cubic metres a year.</li>
<li>Route: through Azerbaijan's pipeline network.</li></ul>
<p>Share on Facebook</p>
<p>Russian negotiators have so far refused to move on price.</p>
</article>
<aside><h3>Read more</h3><ul><li><a href="/a">Oil and sanctions</a></li></ul></aside>
<section id="comments"><h3>2 Comments</h3><p>First!</p></section></main>
<footer><p>Sign up for our newsletter</p><p>© 2024 Caspian Wire</p></footer></body></html>"""


def reasons(result) -> set[str]:
    return {removal.reason for removal in result.removed}


def test_markdown_page_keeps_its_article_and_says_what_went():
    result = clean(
        BODY_MD,
        fmt=cleaning.MARKDOWN,
        rules=(cleaning.line_rule("Baku and Yerevan talk again", "title"),),
    )
    assert result.body == (
        "Negotiators from both capitals met in Almaty for the third time this year.\n\n"
        "What changed\n\n"
        "The two sides agreed on a border commission that will meet every month.\n\n"
        "Observers expect a draft treaty before the summer recess."
    )
    assert {
        "byline",
        "reading time",
        "share or follow line",
        "related-links list",
        "newsletter prompt",
        "author bio",
    } <= reasons(result)
    related = next(r for r in result.removed if r.reason == "related-links list")
    assert "Five things to know about Nakhchivan" in related.text


def test_plain_text_page_with_dates_follow_lines_and_comments():
    result = clean(BODY_TXT)
    assert "Tehran has watched" in result.body
    assert "must not cut the border with Armenia." in result.body
    for gone in (
        "Posted on",
        "Written by",
        "Follow us",
        "You may also like",
        "Ankara",
        "Comments",
        "Reader one",
    ):
        assert gone not in result.body
    assert {
        "date line",
        "byline",
        "share or follow line",
        "related-links list",
        "comment section",
    } <= reasons(result)


@pytest.mark.parametrize(
    "line",
    [
        "By John Smith",
        "by Ana María López, 3 June 2024",
        "Published: 2024-06-03",
        "Updated June 3, 2024 at 9:15 a.m. EST",
        "Share this story",
        "Facebook Twitter Email",
        "Tweet",
        "Enter your email address to get our briefing",
    ],
)
def test_each_furniture_shape_is_dropped(line):
    result = clean(f"The main text stays here, as a sentence.\n{line}\nAnd so does this one.")
    assert result.body == "The main text stays here, as a sentence.\n\nAnd so does this one."


@pytest.mark.parametrize(
    "line",
    [
        "By 2030 the corridor could carry ten million tonnes a year.",
        "Share prices in Baku rose after the announcement.",
        "Related talks in Geneva failed to produce a text.",
        "Tags of ownership on the pipeline were disputed.",
    ],
)
def test_sentences_that_start_like_furniture_stay(line):
    result = clean(f"The main text stays here, as a sentence.\n{line}")
    assert line in result.body


def test_html_main_text_title_author_date_headings_and_lists():
    page = html.extract(BODY_HTML)
    assert page.title.startswith("Gas deal stalls")
    assert page.authors == ("Anna Petrova",)
    assert str(page.date) == "2024-11-20"
    # What the extractor left out is reported too, for the editor's preview.
    assert {"Oil and sanctions", "First!", "© 2024 Caspian Wire"} <= set(page.outside)
    assert not any("refused to move on price" in text for text in page.outside)
    result = clean(
        page.markdown,
        fmt=cleaning.MARKDOWN,
        rules=(cleaning.line_rule("Gas deal stalls", "title"),),
    )
    kinds = [(b["kind"], result.body[b["start"] : b["end"]]) for b in result.blocks]
    assert ("heading", "Why the price matters") in kinds
    assert ("item", "Volumes: up to two billion cubic metres a year.") in kinds
    assert "Russian negotiators have so far refused to move on price." in result.body
    for gone in ("Home", "Share on", "Oil and sanctions", "First!", "Sign up", "©"):
        assert gone not in result.body
