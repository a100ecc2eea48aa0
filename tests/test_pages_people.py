"""Publisher and author pages: their published sources and positions."""

import pytest

from claims import selectors
from claims.models import Authorship, Source

from .corpus import grow, publish, revise
from .factories import AuthorFactory, PublisherFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_publisher_page_lists_sources_and_positions(client):
    response = client.get("/publishers/geopolitical-futures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Geopolitical Futures</h1>" in html
    assert "Forecasting newsletter on international affairs." in html
    assert 'href="/sources/corridor-dividing-russia-and-iran/"' in html
    assert 'href="/propositions/russia-backs-zangezur-corridor/"' in html
    assert 'class="stance stance-supports"' in html


def test_publisher_position_combines_its_sources(client):
    outlet = PublisherFactory(name="Twin Outlet")
    for source in grow(2):
        revise(source, lambda copy: _set_publisher(copy, outlet))
    html = client.get(f"/publishers/{outlet.slug}/").content.decode()
    # grow() gives the two sources different labels on the same three seed propositions;
    # one source, one vote, the outlet takes the mean of their leans:
    #   seeds[0]: source 0 supports + contradicts (0), source 1 contradicts twice (-1): -1/2
    #   seeds[1]: contradicts (-1) and mixed (0): -1/2;  seeds[2]: mixed (0), supports (1): 1/2
    assert html.count('class="stance stance-leans_contradicts"') == 2
    assert html.count('class="stance stance-leans_supports"') == 1
    assert html.count('class="from"') >= 2


def test_author_page_lists_sources_with_role_and_positions(client):
    response = client.get("/authors/vali-kaleji/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Vali Kaleji</h1>" in html
    assert "Ph.D. in Regional Studies" in html
    assert 'href="/sources/russia-and-iran-diverge-in-the-south-caucasus/"' in html
    assert 'href="/propositions/' in html


def test_a_translator_does_not_hold_the_positions_of_the_text(client):
    translator = AuthorFactory(name="Tess Translator")
    source = SourceFactory()
    Authorship.objects.create(source=source, author=translator, role="translator")
    publish(source)
    html = client.get(f"/authors/{translator.slug}/").content.decode()
    assert "(translator)" in html
    assert "No position is recorded yet." in html


def test_outlet_or_author_with_only_drafts_is_404(client):
    outlet = PublisherFactory()
    author = AuthorFactory()
    draft = SourceFactory(publisher=outlet)
    Authorship.objects.create(source=draft, author=author)
    assert client.get(f"/publishers/{outlet.slug}/").status_code == 404
    assert client.get(f"/authors/{author.slug}/").status_code == 404
    assert client.get("/publishers/nobody/").status_code == 404


def test_publisher_and_author_query_counts_do_not_grow(client, django_assert_num_queries):
    outlet = PublisherFactory()
    author = AuthorFactory()

    def add(count):
        for source in grow(count):

            def change(copy):
                _set_publisher(copy, outlet)
                Authorship.objects.create(source=copy, author=author, order=1)

            revise(source, change)

    add(1)
    # 0 the public version, which keys the page cache (a miss here: new data)
    # 1 the outlet (or author)
    # 2 its published sources with their outlets
    # 3 their authorships and authors
    # 4 the propositions they address, 5 with their wording (to pick the page's, in order)
    # 6 published stances on those sources and the page's propositions, as plain rows with
    #   each claim's attribution and start (to link each source's first quote)
    # 7 the page's propositions' slugs and text
    for url in (f"/publishers/{outlet.slug}/", f"/authors/{author.slug}/"):
        with django_assert_num_queries(8):
            assert client.get(url).status_code == 200
    add(4)
    for url in (f"/publishers/{outlet.slug}/", f"/authors/{author.slug}/"):
        with django_assert_num_queries(8):
            response = client.get(url)
        assert response.content.decode().count('class="source-list__title"') == 5


def test_an_outlets_positions_come_a_page_at_a_time(client, settings, monkeypatch):
    from claims.views import people

    monkeypatch.setattr(people, "POSITIONS_PER_PAGE", 2)
    outlet = PublisherFactory(name="Paged Outlet")
    for source in grow(2):
        revise(source, lambda copy: _set_publisher(copy, outlet))
    # Three seed propositions and one extra proposition per source: five rows, by wording.
    url = f"/publishers/{outlet.slug}/"
    pages = [client.get(url, {"page": n}).content.decode() for n in (1, 2, 3)]
    rows = [page.count('<th scope="row">') for page in pages]
    assert rows == [2, 2, 1]
    assert "Propositions 1–2 of 5" in pages[0] and "Propositions 5–5 of 5" in pages[2]
    assert 'rel="next" href="?page=2#positions-heading"' in pages[0]
    assert 'rel="prev"' in pages[2] and 'rel="next"' not in pages[2]
    linked = [
        slug for page in pages for slug in page.split('<th scope="row"><a href="/propositions/')[1:]
    ]
    assert len({row.split("/")[0] for row in linked}) == 5  # every row once, none repeated
    # Each page worked out alone gives the rows of the whole table worked out at once.
    sources = selectors.order_sources(Source.objects.published().filter(publisher=outlet), "date")
    whole = selectors.group_positions(sources).rows()
    assert [row.split("/")[0] for row in linked] == [p.slug for p, _, _ in whole]
    ordered = selectors.group_propositions(sources)
    for start in (0, 2, 4):
        alone = selectors.group_positions(sources, propositions=ordered[start : start + 2])
        assert [
            (p.slug, held, [(s.pk, c.position, c.claims) for s, c in cells])
            for p, held, cells in alone.rows()
        ] == [
            (p.slug, held, [(s.pk, c.position, c.claims) for s, c in cells])
            for p, held, cells in whole[start : start + 2]
        ]
    # A page past the end, or not a number, shows a page that exists.
    assert client.get(url, {"page": 99}).content.decode().count('<th scope="row">') == 1
    assert client.get(url, {"page": "x"}).status_code == 200


def _set_publisher(copy, outlet):
    copy.publisher = outlet
    copy.save()
