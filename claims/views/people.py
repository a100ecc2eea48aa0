"""Publisher and author pages: their published sources and the positions those take."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims import selectors
from claims.models import Author, Authorship, Publisher, Source
from claims.pagecache import about, cached_page

# Rows of a group's positions table per page: an outlet that has addressed hundreds of
# propositions is read a hundred at a time, in the same alphabetical order.
POSITIONS_PER_PAGE = 100


def _positions(request, sources: list[Source]) -> dict:
    """The group's positions for the template: the group, and the page of its rows asked for
    (`?page=`; a number past the end gives the last page). Only that page's propositions are
    worked out: an outlet's thousands of others cost nothing."""
    ordered = selectors.group_propositions(sources)
    page = Paginator(ordered, POSITIONS_PER_PAGE).get_page(request.GET.get("page"))
    group = selectors.group_positions(sources, propositions=list(page))
    return {"group": group, "rows": group.rows(), "page": page}


def _sources(**filters) -> list[Source]:
    """Published sources matching `filters`, with outlet and byline, newest first."""
    return selectors.order_sources(
        Source.objects.published()
        .filter(**filters)
        .distinct()
        .select_related("publisher")
        .prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
        )
        .defer("body", "blocks"),
        "date",
    )


@require_safe
@cached_page(params=("page",), tags=about("publisher"))
def publisher_detail(request, slug: str):
    """An outlet, its published sources and its positions (`positions.publisher_positions`).

    An outlet with nothing published is not shown: its name may only be known from a draft.
    """
    publisher = get_object_or_404(Publisher, slug=slug)
    sources = _sources(publisher=publisher)
    if not sources:
        raise Http404("No published source from this outlet.")
    return render(
        request,
        "claims/publisher.html",
        {"publisher": publisher, **_positions(request, sources)},
    )


@require_safe
@cached_page(params=("page",), tags=about("author"))
def author_detail(request, slug: str):
    """A writer or translator, their published sources and the positions of those they wrote.

    A translator does not hold the positions of the text they translated, so positions come
    from the sources where the person is an author.
    """
    author = get_object_or_404(Author, slug=slug)
    sources = _sources(authorships__author=author)
    if not sources:
        raise Http404("No published source by this author.")
    roles = {
        source.pk: [
            a.get_role_display().lower()
            for a in source.authorships.all()
            if a.author_id == author.pk
        ]
        for source in sources
    }
    written = [s for s in sources if "author" in roles[s.pk]]
    return render(
        request,
        "claims/author.html",
        {
            "author": author,
            "sources": [(source, roles[source.pk]) for source in sources],
            **_positions(request, written),
        },
    )
