"""Search over published claims, propositions and sources."""

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims import search as searching
from claims.forms import SearchForm
from claims.models import Stance
from claims.pagecache import cached_page

RESULTS_PER_KIND = 25


def _is_editor(request) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_staff)


@require_safe
@cached_page(params=("q", "topic", "source", "stance", "attribution"))
def search(request):
    """`?q=` words → matching claims (with their stances), propositions and sources, narrowed
    by `topic`, `source`, `stance` and `attribution`.

    An empty query shows the form only; a filter that names nothing published is a form error,
    shown beside the field. Matching and highlighting are `claims.search`'s (the highlighter
    escapes the text before it marks the words). Editors also search editors' notes; their
    pages are never cached (claims.pagecache serves anonymous readers only).
    """
    form = SearchForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    query = form.cleaned_data["q"] if valid else ""
    editor = _is_editor(request)
    results = None
    if query:
        results = searching.search(
            query, limit=RESULTS_PER_KIND, editor=editor, filters=form.filters()
        )
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
            "editor": editor,
            "shortened": form.shortened,
            "limit": RESULTS_PER_KIND,
        },
    )
