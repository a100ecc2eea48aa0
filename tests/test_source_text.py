"""The page is the text: the reading view's `#source-text` holds the stored body exactly, and
`/sources/<slug>/text.txt` serves it alone.

The HTML is read with a real parser (the standard library's) and the element's text content
compared with the body, code point for code point. The browser test with Apache Annotator
(tests/browser/test_w3c_resolve_browser.py) checks the same in Chromium's DOM.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from claims.models import Source

from .awkward import BODY, QUOTES, awkward_source
from .corpus import SEED_SOURCES, grow, publish
from .factories import SourceFactory

pytestmark = pytest.mark.django_db

# What may appear inside the text element: block elements that add no text, the hidden
# separators, highlights and the empty anchors of claims that begin at the same place.
ALLOWED = {
    ("p", None),
    ("h2", None),
    ("h3", None),
    ("h4", None),
    ("div", "text-list"),
    ("div", "text-item"),
    ("span", "text-gap"),
    ("span", "claim-anchor"),
    ("mark", "seg"),
}


class TextElement(HTMLParser):
    """The text content and the tags of the element with id `source-text`, as a DOM has them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.text: list[str] = []
        self.tags: list[tuple[str, str | None]] = []
        self.found = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            self.depth += 1
            kind = (attributes.get("class") or "").split()
            self.tags.append((tag, kind[0] if kind else None))
        elif attributes.get("id") == "source-text":
            self.found += 1
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def text_element(html: str) -> TextElement:
    parser = TextElement()
    parser.feed(html)
    parser.close()
    assert parser.found == 1, "the page has one element with id source-text"
    return parser


def raw_inside(html: str) -> str:
    """The markup of the text element (it holds no other div closing before its own end)."""
    start = html.index('id="source-text"')
    return html[start : html.index("</article>", start)]


@pytest.mark.parametrize("slug", SEED_SOURCES)
def test_the_text_element_of_every_seed_holds_its_body_exactly(client, slug):
    source = Source.objects.get(slug=slug)
    html = client.get(f"/sources/{slug}/").content.decode()
    element = text_element(html)
    assert "".join(element.text) == source.body
    assert set(element.tags) <= ALLOWED
    # The key and the notes are outside the element.
    assert 'class="stance' not in raw_inside(html)
    assert 'class="note' not in raw_inside(html)


def test_an_awkward_body_is_held_exactly_with_its_layout(client):
    source = awkward_source()
    html = client.get(f"/sources/{source.slug}/").content.decode()
    element = text_element(html)
    assert "".join(element.text) == BODY
    # A carriage return in the page's source would reach the DOM as a line feed.
    assert "\r" not in raw_inside(html) and "&#13;" in raw_inside(html)
    # Markup in the text is text.
    assert "&lt;b&gt;markup&lt;/b&gt; &amp; an" in html
    assert set(element.tags) <= ALLOWED
    assert ("h2", None) in element.tags
    assert [tag for tag in element.tags if tag == ("div", "text-item")] == [
        ("div", "text-item")
    ] * 2
    # Every claim is highlighted and has its anchor for `#claim-<id>` inside the element.
    anchors = re.findall(r'id="claim-(\d+)"', raw_inside(html))
    assert sorted(map(int, anchors)) == sorted(source.claims.values_list("pk", flat=True))
    assert len(anchors) == len(QUOTES)


def test_a_body_without_layout_keeps_its_blank_lines_and_edges(client):
    body = "\n\nOne line\nand the next.\n\n\n\n  Indented second.  \n"
    source = publish(SourceFactory(body=body, blocks=[]))
    html = client.get(f"/sources/{source.slug}/").content.decode()
    element = text_element(html)
    assert "".join(element.text) == body
    assert element.tags == [("span", "text-gap"), ("p", None)] * 2 + [("span", "text-gap")]


def test_the_page_points_to_its_plain_text(client):
    html = client.get("/sources/iran-russia-alliance-ejp/").content.decode()
    href = "/sources/iran-russia-alliance-ejp/text.txt"
    assert f'<link rel="alternate" type="text/plain" href="{href}"' in html
    assert f'<a href="{href}" type="text/plain">plain text</a>' in html


def test_plain_text_is_the_body_exactly(client):
    source = awkward_source()
    response = client.get(f"/sources/{source.slug}/text.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Language"] == "en"
    assert response.content == BODY.encode("utf-8")
    # Served again from the page cache, it is still the same text with the same type.
    again = client.get(f"/sources/{source.slug}/text.txt")
    assert again.content == BODY.encode("utf-8")
    assert again["Content-Type"] == "text/plain; charset=utf-8"


def test_plain_text_of_drafts_and_unknown_sources_is_404(client):
    draft = SourceFactory()
    assert client.get(f"/sources/{draft.slug}/text.txt").status_code == 404
    assert client.get("/sources/no-such-source/text.txt").status_code == 404


def test_plain_text_refuses_writes(client):
    response = client.post("/sources/iran-russia-alliance-ejp/text.txt")
    assert response.status_code == 405


def test_plain_text_query_count_does_not_grow(client, django_assert_num_queries):
    url = "/sources/does-russia-support-iran/text.txt"
    # 0 the public version, which keys the page cache (a miss here: new data)
    # 1 the published source's text and language
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    grow(4)
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


QUOTING_PAGES = (
    "/topics/zangezur-corridor/",
    "/topics/south-caucasus/",
    "/propositions/russia-backs-zangezur-corridor/",
    "/propositions/russia-tilts-toward-azerbaijan/",
    "/compare/?a=russia-and-iran-new-divides&b=iran-russia-alliance-ejp",
    "/search/?q=corridor",
    "/publishers/geopolitical-futures/",
)


def test_links_to_quotes_land_on_the_claim_in_the_text(client):
    links = set()
    for page in QUOTING_PAGES:
        html = client.get(page).content.decode()
        links |= set(re.findall(r'href="(/sources/[\w-]+/)#claim-(\d+)"', html))
    assert len(links) > 20
    pages = {}
    for path, claim in sorted(links):
        if path not in pages:
            pages[path] = raw_inside(client.get(path).content.decode())
        # The anchor is a highlight (or the empty anchor beside it) inside the text element.
        assert f'id="claim-{claim}"' in pages[path], (path, claim)
