"""What every page tells browsers and search engines: title, description, canonical URL.

Also the error pages: a friendly 404 inside the site's frame.
"""

import re

import pytest

from .corpus import page_urls

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"<title>([^<]+)</title>")
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


def test_every_page_has_its_own_title_description_and_canonical_url(client):
    titles = {}
    for url in page_urls():
        html = client.get(url).content.decode()
        html = html[: html.index("</head>")]  # SVG pictures in the body have titles too
        assert len(TITLE.findall(html)) == 1, url
        title = TITLE.search(html).group(1)
        assert title.endswith(" · Geopolitics claims"), url
        assert len(title) > len(" · Geopolitics claims") + 5, url
        description = DESCRIPTION.search(html).group(1)
        assert 40 <= len(description) <= 320, (url, description)
        canonical = CANONICAL.search(html).group(1)
        assert canonical.startswith("http://testserver/"), url
        titles.setdefault(title, []).append(url)
    # Pages of different things have different titles (a sorted matrix is the same page).
    repeated = {t: urls for t, urls in titles.items() if len(urls) > 1}
    assert repeated == {
        "Zangezur corridor: where sources stand · Geopolitics claims": [
            "/topics/zangezur-corridor/",
            "/topics/zangezur-corridor/?rows=text&cols=publisher",
        ]
    }


def test_canonical_url_drops_sort_orders_and_keeps_the_compared_pair(client):
    html = client.get("/topics/zangezur-corridor/?rows=text&cols=publisher").content.decode()
    assert CANONICAL.search(html).group(1) == "http://testserver/topics/zangezur-corridor/"
    html = client.get("/compare/?b=iran-russia-alliance-ejp&a=russia-and-iran-new-divides&x=1")
    assert CANONICAL.search(html.content.decode()).group(1) == (
        "http://testserver/compare/?a=russia-and-iran-new-divides&amp;b=iran-russia-alliance-ejp"
    )


def test_reading_view_description_names_the_source(client):
    html = client.get("/sources/corridor-dividing-russia-and-iran/").content.decode()
    description = DESCRIPTION.search(html).group(1)
    assert "The Corridor Dividing Russia and Iran" in description
    assert "29 quoted claims" in description


def test_not_found_is_a_friendly_page_in_the_sites_frame(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="/"' in html and 'action="/search/"' in html
    assert '<link rel="stylesheet" href="/static/claims/site.css"' in html


def test_static_files_are_referenced_through_the_static_tag(client):
    html = client.get("/").content.decode()
    for asset in (
        "claims/site.css",
        "claims/overview.css",
        "claims/sides.css",
        "claims/print.css",
        "claims/site.js",
        "claims/favicon.svg",
    ):
        assert f"/static/{asset}" in html
