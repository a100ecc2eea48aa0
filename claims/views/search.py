"""Search over published claims, propositions and sources."""

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims import search as searching
from claims.forms import SearchForm
from claims.models import Stance
from claims.pagecache import cached_page

RESULTS_PER_KIND = 25


@require_safe
@cached_page(params=("q",))
def search(request):
    """`?q=` words → matching claims (with their stances), propositions and sources.

    An empty query shows the form only. Matching and highlighting are `claims.search`'s; the
    highlighter escapes the text before it marks the words.
    """
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    results = None
    if query:
        results = searching.search(query, limit=RESULTS_PER_KIND)
        prefetch_related_objects(
            results.claims,
            Prefetch("stances", queryset=Stance.objects.select_related("proposition")),
        )
    return render(
        request,
        "claims/search.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "shortened": form.shortened,
            "limit": RESULTS_PER_KIND,
        },
    )
