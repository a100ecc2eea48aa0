"""In-process measurements of one corpus (the database in DATABASE_URL): every API list and
detail, every public page (rendered and served from the page cache), the raw baseline of each
list, and search. Writes var/bench/<label>.json.

Requests go through Django's full request handling (middleware, authentication, rendering)
with the test client, in production settings (DEBUG=0), so that nothing is logged per query.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import FLOOR_URL, OUT, read_json, say, setup_django, timed, write_json

setup_django()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from bench import raw  # noqa: E402
from claims import search as searching  # noqa: E402
from claims import selectors  # noqa: E402
from claims.models import Claim, Proposition, Source, Stance, Topic  # noqa: E402

client = Client(HTTP_HOST="127.0.0.1")


def get(url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def samples() -> dict:
    """Typical objects, picked the same way at every size: the published source in the middle
    of the id range, what it links to, and a second source sharing a proposition with it."""
    published = Source.objects.published()
    ids = list(
        published.order_by("pk").values_list("pk", flat=True)[:: max(1, published.count() // 101)]
    )
    source = published.select_related("publisher").get(pk=ids[len(ids) // 2])
    stance = (
        Stance.objects.filter(claim__source=source)
        .select_related("claim", "proposition")
        .order_by("pk")
        .first()
    )
    proposition = stance.proposition
    other = (
        Source.objects.published()
        .filter(claims__stances__proposition=proposition)
        .exclude(pk=source.pk)
        .order_by("pk")
        .first()
    )
    leaf = proposition.topics.order_by("pk").first()
    root = leaf
    while root.parent_id is not None:
        root = root.parent
    authorship = source.authorships.select_related("author").order_by("order").first()
    actor = (
        Claim.actors.through.objects.filter(claim__source=source).select_related("actor").first()
    )
    return {
        "source": source.slug,
        "publisher": source.publisher.slug if source.publisher else None,
        "author": authorship.author.slug if authorship else None,
        "proposition": proposition.slug,
        "other": other.slug if other else None,
        "leaf_topic": leaf.slug,
        "root_topic": root.slug,
        "claim": stance.claim_id,
        "stance": stance.pk,
        "actor": actor.actor.slug if actor else None,
    }


def search_terms() -> dict[str, str]:
    try:
        from bench.generator.generating import SEARCH_TERMS
    except ImportError:  # a corpus that was not generated: words every corpus has
        SEARCH_TERMS = {"rare": "tellurium", "medium": "pipeline", "common": "russia"}
    return dict(SEARCH_TERMS)


def api_endpoints(s: dict) -> dict[str, str]:
    v1 = "/api/v1"
    endpoints = {f"list {name}": f"{v1}/{name}/" for name in raw.LISTS}
    endpoints |= {
        "list claims ?source=": f"{v1}/claims/?source={s['source']}",
        "list claims ?proposition=": f"{v1}/claims/?proposition={s['proposition']}",
        "list claims ?label=contradicts": f"{v1}/claims/?label=contradicts",
        "list claims ?topic=": f"{v1}/claims/?topic={s['leaf_topic']}",
        "list stances ?proposition=": f"{v1}/stances/?proposition={s['proposition']}",
        "list propositions ?topic=": f"{v1}/propositions/?topic={s['leaf_topic']}",
        "detail source": f"{v1}/sources/{s['source']}/",
        "detail topic": f"{v1}/topics/{s['leaf_topic']}/",
        "detail proposition": f"{v1}/propositions/{s['proposition']}/",
        "detail claim": f"{v1}/claims/{s['claim']}/",
        "detail stance": f"{v1}/stances/{s['stance']}/",
        "compare matrix ?topic=": f"{v1}/compare/matrix/?topic={s['leaf_topic']}",
        "annotations collection": f"{v1}/annotations/",
        "annotation": f"{v1}/annotations/{s['claim']}/",
    }
    if s["publisher"]:
        endpoints["list sources ?publisher="] = f"{v1}/sources/?publisher={s['publisher']}"
        endpoints["detail publisher"] = f"{v1}/publishers/{s['publisher']}/"
    if s["author"]:
        endpoints["detail author"] = f"{v1}/authors/{s['author']}/"
    if s["actor"]:
        endpoints["detail actor"] = f"{v1}/actors/{s['actor']}/"
    if s["other"]:
        endpoints["compare sources"] = f"{v1}/compare/sources/?a={s['source']}&b={s['other']}"
    return endpoints


def page_urls(s: dict, terms: dict[str, str]) -> dict[str, str]:
    pages = {
        "home": "/",
        "topic (root)": f"/topics/{s['root_topic']}/",
        "topic (leaf)": f"/topics/{s['leaf_topic']}/",
        "proposition": f"/propositions/{s['proposition']}/",
        "source (reading view)": f"/sources/{s['source']}/",
        "compare picker": "/compare/",
        "search (common term)": f"/search/?q={terms['common']}",
    }
    if s["publisher"]:
        pages["publisher"] = f"/publishers/{s['publisher']}/"
    if s["author"]:
        pages["author"] = f"/authors/{s['author']}/"
    if s["other"]:
        pages["compare two sources"] = f"/compare/?a={s['source']}&b={s['other']}"
    with contextlib.suppress(NoReverseMatch):
        pages["sources index"] = reverse("claims:sources")
    return pages


def computed_and_cached(url: str) -> tuple[bytes, dict, dict]:
    """The answer, its timings with the page and response caches off, then served from them."""
    body = get(url)
    with cache_off():
        computed = timed(lambda: get(url))
    get(url)
    return body, computed, timed(lambda: get(url))


def measure_api(endpoints: dict[str, str]) -> dict:
    """Each endpoint computed (the response cache off) and answered from the cache."""
    results = {}
    for name, url in endpoints.items():
        body, computed, cached = computed_and_cached(url)
        results[name] = {
            "url": url,
            "bytes": len(body),
            "rows": rows_in(body),
            **computed,
            "cached": cached,
        }
        say(f"{name}: {computed['median_ms']} ms computed, {cached['median_ms']} ms cached")
    return results


def rows_in(body: bytes) -> int | None:
    """How many results a list page holds (None for other answers)."""
    try:
        results = json.loads(body).get("results")
    except (ValueError, AttributeError):
        return None
    return len(results) if isinstance(results, list) else None


@contextlib.contextmanager
def cache_off():
    """Pages and API answers computed every time; the per-edit tally stays cached, as it is
    between two edits."""
    previous = settings.PUBLIC_PAGE_CACHE_SECONDS
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    try:
        yield
    finally:
        settings.PUBLIC_PAGE_CACHE_SECONDS = previous


def measure_raw() -> dict:
    results = {}
    for name, fetch in raw.LISTS.items():
        results[f"list {name}"] = {"bytes": len(fetch()), **timed(fetch)}
    return results


def measure_pages(pages: dict[str, str]) -> dict:
    """Each page rendered (the page cache off) and served from the page cache."""
    results = {}
    for name, url in pages.items():
        body, rendered, cached = computed_and_cached(url)
        results[name] = {"url": url, "bytes": len(body), "rendered": rendered, "cached": cached}
        say(f"page {name}: {rendered['median_ms']} ms rendered, {cached['median_ms']} ms cached")
    return results


def measure_tally() -> dict:
    """What the first page view after an edit pays once: the corpus-wide counts."""
    return timed(lambda: selectors.corpus_tally(), before=cache.clear)


def measure_search(terms: dict[str, str], claim_id: int) -> dict:
    """The stored tsvector search for each term, against fetching one claim by primary key."""
    published = Claim.objects.published()
    results: dict = {"terms": {}}
    for level, term in terms.items():
        query = searching.matching(published, term)
        matches = searching.matches(published, term).count()
        orm = timed(lambda query=query: list(query[:25]))
        with cache_off():
            api = timed(lambda term=term: get(f"/api/v1/claims/?q={term}"))
        results["terms"][level] = {"term": term, "matches": matches, "orm": orm, "api": api}
        say(f"search {level} {term!r}: {matches} claims, {orm['median_ms']} ms")
    results["pk_orm"] = timed(lambda: Claim.objects.get(pk=claim_id))
    with cache_off():
        results["pk_api"] = timed(lambda: get(f"/api/v1/claims/{claim_id}/"))
    return results


# Page-numbered API lists: their first page against the last one the count cap allows.
PAGED_LISTS = ("sources", "propositions", "publishers", "authors", "topics", "actors")
CURSOR_LISTS = ("claims", "stances")
CURSOR_DEPTH = 40  # pages of 200 followed through `next`: 8,000 rows in


def measure_deep_pages(s: dict) -> dict:
    """How a page deep in a list compares with the first, each computed (caches off): the
    last page of each page-numbered API list, a cursor page 8,000 rows into claims and
    stances, the oldest page of the public sources index and the last page of a topic."""
    from claims.api.pagination import last_page

    results = {}

    def pair(name: str, first: str, deep: str) -> None:
        with cache_off():
            results[name] = {
                "first_url": first,
                "deep_url": deep,
                "first": timed(lambda: get(first)),
                "deep": timed(lambda: get(deep)),
            }
        say(f"deep {name}: {results[name]['deep']['median_ms']} ms")

    for name in PAGED_LISTS:
        url = f"/api/v1/{name}/?page_size=50"
        body = json.loads(get(url))
        last = last_page(50) if body["count_capped"] else max(1, -(-body["count"] // 50))
        pair(f"API {name}", url, f"{url}&page={last}")
    for name in CURSOR_LISTS:
        url = f"/api/v1/{name}/?page_size=200"
        deep = url
        for _ in range(CURSOR_DEPTH):
            following = json.loads(get(deep))["next"]
            if not following:
                break
            deep = following.replace("http://127.0.0.1", "")
        pair(f"API {name} (cursor)", url, deep)
    oldest = Source.objects.published().order_by("pk").values_list("pk", flat=True)[25:26]
    if oldest:
        pair("page sources index", "/sources/", f"/sources/?after={oldest[0]}")
    # A page number past the end shows the topic's last page.
    topic = f"/topics/{s['root_topic']}/"
    pair("page topic (root)", topic, f"{topic}?page=1000000")
    return results


def corpus_counts() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return {
        "sources": Source.objects.count(),
        "published_sources": Source.objects.published().count(),
        "claims": Claim.objects.count(),
        "stances": Stance.objects.count(),
        "propositions": Proposition.objects.count(),
        "topics": Topic.objects.count(),
        "largest_proposition": Stance.objects.values("proposition")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first(),
        "database_mb": round(size / 2**20),
    }


def main() -> None:
    out = OUT / f"{sys.argv[1]}.json"
    data = read_json(out)
    data["corpus"] = corpus_counts()
    s = samples()
    terms = search_terms()
    data["samples"] = s
    say(f"corpus {data['corpus']}")
    data["api"] = measure_api(api_endpoints(s))
    data["raw"] = measure_raw()
    data["pages"] = measure_pages(page_urls(s, terms))
    data["search"] = measure_search(terms, s["claim"])
    data["tally"] = measure_tally()
    data["floor"] = timed(lambda: get(FLOOR_URL))
    data["deep_pages"] = measure_deep_pages(s)
    write_json(out, data)


if __name__ == "__main__":
    main()
