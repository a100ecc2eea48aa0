"""Topic and proposition pages: where sources stand, side by side."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims import positions, selectors
from claims.forms import MatrixOrderForm
from claims.models import Proposition, Source
from claims.pagecache import cached_page


@require_safe
@cached_page(params=("rows", "cols"))
def topic_detail(request, slug: str):
    """The proposition × source matrix of a topic and of every topic below it.

    Every published source is a column, so a source that says nothing on a proposition shows
    as "not addressed" rather than disappearing. Sort orders come from `MatrixOrderForm`:
    only its listed values are ever used, and sorting happens in Python on the matrix.
    """
    tree = selectors.topic_tree()
    topic = next((t for t in tree.topics.values() if t.slug == slug), None)
    if topic is None:
        raise Http404("No such topic.")
    order_form = MatrixOrderForm(request.GET)
    order = order_form.orders()
    sources = Source.objects.published().select_related("publisher").defer("body", "blocks")
    matrix = selectors.topic_matrix(
        topic, tree=tree, sources=selectors.order_sources(sources, order["cols"])
    )
    rows = [
        (selectors.summarise(matrix, proposition), matrix.row(proposition))
        for proposition in selectors.order_propositions(matrix, order["rows"])
    ]
    speaking = {s for (_, s) in matrix.cells}
    children = [tree.topics[pk] for pk in tree.children.get(topic.pk, [])]
    return render(
        request,
        "claims/topic.html",
        {
            "topic": topic,
            "ancestors": tree.ancestors(topic.pk),
            "children": children,
            "matrix": matrix,
            "rows": rows,
            "contested": any(summary.divergence > 0 for summary, _ in rows),
            "order": order,
            "order_form": order_form,
            "speaking": [s for s in matrix.sources if s.pk in speaking],
            "silent": [s for s in matrix.sources if s.pk not in speaking],
        },
    )


@require_safe
@cached_page()
def proposition_detail(request, slug: str):
    """One proposition: a column per source that addresses it, with the quoted claims.

    Propositions that no published source takes a stance on do not exist for the public.
    """
    proposition = get_object_or_404(Proposition.objects.published(), slug=slug)
    topics = list(proposition.topics.all())
    sources = selectors.order_sources(
        Source.objects.published().select_related("publisher").defer("body", "blocks"), "date"
    )
    matrix = selectors.proposition_matrix(proposition, sources=sources)
    # Sources grouped by position (supports, contradicts, mixed, neutral), newest first within
    # each, so that the sides of a disagreement stand next to each other.
    columns = sorted(
        ((source, cell) for source, cell in matrix.row(proposition) if cell is not None),
        key=lambda item: positions.LABELS.index(item[1].position),
    )
    return render(
        request,
        "claims/proposition.html",
        {
            "proposition": proposition,
            "topics": topics,
            "summary": selectors.summarise(matrix, proposition),
            "columns": columns,
            "silent": [source for source, cell in matrix.row(proposition) if cell is None],
            "source_count": len(sources),
            "related": selectors.related_propositions(proposition),
        },
    )
