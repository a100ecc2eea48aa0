"""Search: published claims, propositions and sources with the words marked."""

import pytest

from claims import search
from claims.models import Claim, Source, Stance
from claims.search import MAX_QUERY_LENGTH

from .corpus import SECOND, grow, publish
from .factories import ClaimFactory, SourceFactory, StanceFactory

pytestmark = pytest.mark.django_db


def test_empty_query_shows_the_form_only(client):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input type="search" name="q"' in html
    assert 'class="summary"' not in html
    assert '<meta name="robots" content="noindex">' in html


def test_results_of_each_kind_with_words_marked(client):
    html = client.get("/search/?q=Zangezur+corridor").content.decode()
    assert 'id="res-props"' in html and 'id="res-claims"' in html
    assert "<mark>Zangezur</mark> <mark>corridor</mark>" in html
    assert 'href="/propositions/russia-backs-zangezur-corridor/"' in html
    assert "/#claim-" in html
    # A claim shows the stances it takes.
    assert 'class="stance stance-supports"' in html


def test_nothing_found_says_so(client):
    html = client.get("/search/?q=xylophonist").content.decode()
    assert "Nothing published matches “xylophonist”" in html


def test_long_queries_are_shortened_not_refused(client):
    response = client.get("/search/", {"q": "corridor " * 60})
    assert response.status_code == 200
    html = response.content.decode()
    assert "shortened to its first 200 characters" in html
    assert f'maxlength="{MAX_QUERY_LENGTH}"' in html


def test_search_query_count_does_not_grow(client, django_assert_num_queries):
    # 0 the public version, which keys the page cache (a miss here: new data)
    # 1 matching published claims with source, outlet and speaker
    # 2 the stances of those claims with their propositions
    # 3 matching published propositions
    # 4 matching published sources
    # 5 the published topics the topic filter offers
    expected = 6
    with django_assert_num_queries(expected):
        client.get("/search/?q=corridor")
    grow(4)
    with django_assert_num_queries(expected):
        response = client.get("/search/?q=corridor")
    assert "The <mark>corridor</mark> remains a red line" in response.content.decode()


def test_ranking_covers_the_most_recent_matches_only_beyond_the_window(monkeypatch):
    """Up to RANK_WINDOW matches the ranking is complete; beyond, the best of the most recent
    RANK_WINDOW are given (on SQLite, matches come in id order either way)."""
    from claims import search
    from claims.models import Claim

    published = Claim.objects.published()
    every = set(search.matches(published, "Russia").values_list("pk", flat=True))
    assert len(every) > 5
    assert set(search.matching(published, "Russia").values_list("pk", flat=True)) == every
    monkeypatch.setattr(search, "RANK_WINDOW", 5)
    windowed = list(search.matching(published, "Russia").values_list("pk", flat=True))
    if search.uses_stored_vectors():
        assert set(windowed) == set(sorted(every)[-5:])
    else:
        assert windowed == sorted(every)


def test_spelling_variants_are_looked_for_only_while_the_words_leave_room(monkeypatch):
    """The seeds spell the exclave both "Nakhchivan" and "Nakhichevan", once each. Either
    spelling finds both; once the words as written fill the ranking window, the variants are
    not looked for (on PostgreSQL; SQLite has no window)."""
    from claims import search
    from claims.models import Claim

    published = Claim.objects.published()
    written = set(published.filter(quote__icontains="Nakhchivan").values_list("pk", flat=True))
    variant = set(published.filter(quote__icontains="Nakhichevan").values_list("pk", flat=True))
    assert len(written) == len(variant) == 1
    found = set(search.matching(published, "Nakhchivan").values_list("pk", flat=True))
    assert found == written | variant
    monkeypatch.setattr(search, "RANK_WINDOW", 1)
    found = set(search.matching(published, "Nakhchivan").values_list("pk", flat=True))
    assert found == (written if search.uses_stored_vectors() else written | variant)
    # The words alone fill less than a window of 2: the variant is looked for again.
    monkeypatch.setattr(search, "RANK_WINDOW", 2)
    assert set(search.matching(published, "Nakhchivan").values_list("pk", flat=True)) == (
        written | variant
    )


def test_api_search_filters_without_ranking_every_match():
    from django.urls import reverse

    from claims import search
    from claims.models import Claim

    from .api_helpers import client_for

    body = client_for().get(reverse("api:claim-list") + "?q=corridor&page_size=200").json()
    ids = [claim["id"] for claim in body["results"]]
    assert ids == sorted(ids, reverse=True)  # the list's own order (cursor by id)
    expected = search.matches(Claim.objects.published(), "corridor").values_list("pk", flat=True)
    assert ids and set(ids) == set(expected)


def claim_ids(query: str, **kwargs) -> set[int]:
    return {claim.pk for claim in search.search(query, limit=1000, **kwargs).claims}


def test_singular_and_plural_find_the_same_claims():
    drone, drones = claim_ids("drone"), claim_ids("drones")
    assert drone and drone == drones
    assert claim_ids("Drones") == drones
    # Stems, not only beginnings: "sanctions" finds "sanctioned" and "sanction".
    assert claim_ids("corridors") == claim_ids("corridor")


def test_spelling_variants_and_accents_find_each_other():
    with_i = claim_ids("Nakhichevan")
    without = claim_ids("Nakhchivan")
    assert with_i and with_i == without
    quotes = " ".join(Claim.objects.filter(pk__in=with_i).values_list("quote", flat=True))
    assert "Nakhchivan" in quotes and "Nakhichevan" in quotes
    assert claim_ids("Nakhçıvan") == without
    assert claim_ids("Zángezur corridor") == claim_ids("zangezur corridor") != set()
    # Short words are not matched by spelling: "Iraq" is not "Iran".
    iraq = claim_ids("Iraq")
    quotes = Claim.objects.filter(pk__in=iraq).values_list("quote", flat=True)
    assert all("Iraq" in quote for quote in quotes)
    assert len(iraq) < len(claim_ids("Iran"))


def test_every_result_shows_the_words_it_was_found_by(client):
    for query in ["drone", "Nakhichevan", "sanctions Russia", "corridors", "Azerbaijani"]:
        results = search.search(query, limit=1000)
        assert results.claims, query
        for claim in results.claims:
            assert "<mark>" in search.highlight(claim.quote, query), (query, claim.quote)
        for proposition in results.propositions:
            assert "<mark>" in search.highlight(proposition.text, query), query
        for source in results.sources:
            shown = search.highlight(source.title, query) + search.excerpt(source.body, query)
            assert "<mark>" in shown, (query, source.title)
    html = client.get("/search/?q=drone").content.decode()
    assert "<mark>drones</mark>" in html and "<mark>drone</mark>" in html


def test_editors_notes_are_searched_for_editors_only(client, editor):
    # Content first, publication last: a published revision is read-only.
    source = SourceFactory()
    claim = ClaimFactory(source=source, span=SECOND, note="Compare the quillwort memo.")
    StanceFactory(claim=claim)
    publish(source)
    assert search.matches(Claim.objects.published(), "quillwort").count() == 0
    html = client.get("/search/?q=quillwort").content.decode()
    assert "Nothing published matches" in html
    assert claim_ids("quillwort", editor=True) == {claim.pk}
    client.force_login(editor)
    html = client.get("/search/?q=quillwort").content.decode()
    assert "Editors’ note:</span> Compare the <mark>quillwort</mark> memo." in html


def test_filters_narrow_the_claims(client):
    everything = claim_ids("Russia")
    supporting = claim_ids("Russia", filters=search.Filters(stance="supports"))
    assert supporting and supporting < everything
    labels = Stance.objects.filter(claim__in=supporting).values_list("claim", "label")
    assert {claim for claim, label in labels if label == "supports"} == supporting

    source = Source.objects.get(slug="does-russia-support-iran")
    one_source = claim_ids("Russia", filters=search.Filters(source=source))
    assert one_source and one_source < everything
    assert set(Claim.objects.filter(pk__in=one_source).values_list("source", flat=True)) == {
        source.pk
    }

    reported = claim_ids("Russia", filters=search.Filters(attribution="reported"))
    assert set(Claim.objects.filter(pk__in=reported).values_list("attribution", flat=True)) <= {
        "reported"
    }

    html = client.get("/search/?q=corridor&stance=supports&topic=zangezur-corridor").content
    html = html.decode()
    assert 'id="res-claims"' in html and 'id="res-props"' not in html
    assert 'class="stance stance-supports"' in html
    html = client.get(f"/search/?q=Russia&source={source.slug}").content.decode()
    assert f"Source: <strong>{source.title}</strong>" in html


def test_unknown_filters_are_form_errors_not_failures(client):
    response = client.get("/search/?q=Russia&topic=nowhere&source=no-such-source&stance=loud")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-errors"' in html
    assert "No published source has the slug “no-such-source”" in html
    assert 'class="summary"' not in html


def test_search_landmarks_are_named(client):
    html = client.get("/search/?q=corridor").content.decode()
    assert html.count('role="search"') == 2
    assert 'role="search" aria-label="Site search"' in html
    assert 'role="search" aria-label="Search the corpus, with filters"' in html


def test_the_database_uses_the_same_rules_as_the_highlighter():
    from django.db import connection

    from claims import wording

    with connection.cursor() as cursor:
        if search.uses_stored_vectors():
            cursor.execute("SELECT similarity('a', 'a')")  # loads pg_trgm and its settings
            cursor.execute("SHOW pg_trgm.strict_word_similarity_threshold")
            assert float(cursor.fetchone()[0]) == wording.FUZZY_THRESHOLD
            cursor.execute("SELECT to_tsvector('claims_search', 'Nakhçıvan drones')::text")
            assert cursor.fetchone()[0] == "'drone':2 'nakhcivan':1"
        else:
            cursor.execute("SELECT claims_term_in('Two Drones', 'drone'), claims_term_in('x', 'y')")
            assert cursor.fetchone() == (1, 0)


def _excerpt_from_every_found_word(text: str, query: str) -> str:
    """The excerpt worked out the plain way: every found word of the whole text first, then
    those inside the same window marked."""
    from django.utils.html import escape

    found = search.wording.found_spans(text, search.terms(query))
    if not found:
        return ""
    start, end = search.excerpt_window(text, *found[0], search.EXCERPT_LENGTH)
    parts, last = [], start
    for s, e in found:
        if s >= start and e <= end:
            parts += [escape(text[last:s]), f"<mark>{escape(text[s:e])}</mark>"]
            last = e
    parts.append(escape(text[last:end]))
    return ("… " if start > 0 else "") + "".join(parts) + (" …" if end < len(text) else "")


def test_an_excerpt_reads_only_up_to_its_window_and_marks_the_same_words():
    bodies = list(Source.objects.values_list("body", flat=True))
    assert bodies
    queries = ["Russia", "corridor Armenia", "drones", "Nakhichevan", "the", "Zangezur", "zzzq"]
    for body in bodies:
        # From the start, the middle and the end of each text, so windows hit every edge.
        for text in (body, body[len(body) // 2 :], body[-300:]):
            for query in queries:
                assert str(search.excerpt(text, query)) == _excerpt_from_every_found_word(
                    text, query
                ), (query, text[:60])
