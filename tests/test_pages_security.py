"""Hostile text is printed as text, and every page keeps to the Content-Security-Policy.

Titles, bodies, propositions, notes and names are data written by people; any of them may
contain markup. The pages must escape all of it, and use no inline style or event attribute
(the policy allows neither, so the browser would refuse them anyway).
"""

import re

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from claims import summaries
from claims.models import Authorship, Topic

from .corpus import page_urls, publish
from .factories import (
    ActorFactory,
    AuthorFactory,
    ClaimFactory,
    PropositionFactory,
    PublisherFactory,
    SourceFactory,
    StanceFactory,
)

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"
# PostgreSQL's text search parser drops tag-like text, so searches look for a plain word that
# sits right next to the markup.
WORD = "Zwiebelturm"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
INLINE_STYLE = re.compile(r"<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture
def hostile():
    """A published source whose every human-written field carries a script tag."""
    body = f"{EVIL} {WORD} opens the text.\n\nThe corridor {EVIL} is contested."
    # Content first, publication last: a published revision is read-only.
    source = SourceFactory(
        title=f"Title {EVIL} {WORD}",
        slug="hostile",
        body=body,
        publisher=PublisherFactory(name=EVIL, slug="hostile-outlet", description=EVIL),
    )
    author = AuthorFactory(name=EVIL, slug="hostile-author", bio=EVIL)
    Authorship.objects.create(source=source, author=author)
    proposition = PropositionFactory(text=f"Proposition {EVIL}", slug="hostile-claim", notes=EVIL)
    proposition.topics.add(Topic.objects.get(slug="zangezur-corridor"))
    start = body.index("The corridor")
    claim = ClaimFactory(
        source=source,
        span=(0, len(f"{EVIL} {WORD}")),
        note=f"Note {EVIL}",
        speaker=ActorFactory(name=EVIL),
    )
    second = ClaimFactory(source=source, span=(start, len(body)))
    StanceFactory(claim=claim, proposition=proposition, label="contradicts")
    StanceFactory(claim=second, proposition=proposition, label="supports")
    publish(source)
    summaries.refresh()
    return source


def hostile_urls():
    return [
        "/",
        "/topics/zangezur-corridor/",
        "/propositions/hostile-claim/",
        "/sources/hostile/",
        "/publishers/hostile-outlet/",
        "/authors/hostile-author/",
        "/compare/?a=hostile&b=iran-russia-alliance-ejp",
        "/compare/",
        f"/search/?q={WORD}",
        f"/search/?q={EVIL}",
    ]


def test_hostile_text_is_escaped_everywhere(client, hostile):
    for url in hostile_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert EVIL not in html, url
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;" in html, url


def test_search_marks_words_inside_escaped_text(client, hostile):
    html = client.get(f"/search/?q={WORD}").content.decode()
    assert f"{ESCAPED} <mark>{WORD}</mark>" in html


@pytest.mark.parametrize("url", [*page_urls(), "/no-such-page/", "/compare/?a=x&b=y"])
def test_pages_send_a_csp_with_a_nonce_and_use_no_inline_style_or_handlers(client, url):
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce, policy
    assert "'unsafe-inline'" not in policy
    html = response.content.decode()
    assert f'nonce="{nonce.group(1)}"' in html
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    assert "javascript:" not in html


def test_hostile_pages_also_keep_to_the_policy(client, hostile):
    for url in hostile_urls():
        html = client.get(url).content.decode()
        assert not INLINE_STYLE.search(html), url
        assert not INLINE_HANDLER.search(html), url


def test_every_script_and_stylesheet_is_a_static_file(client):
    html = client.get("/").content.decode()
    assert re.findall(r"<script\b[^>]*>", html) == [
        re.search(r'<script src="/static/claims/site.js" defer nonce="[^"]+">', html).group(0)
    ]
    assert "<style" not in html
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
        "/static/claims/site.css",
        "/static/claims/overview.css",
        "/static/claims/sides.css",
        "/static/claims/print.css",
    ]


def test_server_error_page_stands_alone():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "/static/claims/site.css" in html
