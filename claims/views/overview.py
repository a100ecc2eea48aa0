"""The home page: the published corpus at a glance."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims import selectors

from .common import agreement_heatmap

CONTESTED_ON_HOME = 8


@require_safe
def home(request):
    """Topics, the most contested propositions, the sources and how far each pair agrees.

    Everything comes from `selectors.corpus_overview`, which reads published sources only, so a
    draft changes nothing here, not even a count.
    """
    overview = selectors.corpus_overview()
    heatmap, heat_rows = agreement_heatmap(overview.sources, overview.agreement)
    sources = [(s, overview.claims_per_source.get(s.pk, 0)) for s in overview.sources]
    publishers = {s.publisher_id for s in overview.sources if s.publisher_id}
    return render(
        request,
        "claims/home.html",
        {
            "overview": overview,
            "sources": sources,
            "publisher_count": len(publishers),
            "proposition_count": len(overview.matrix.propositions),
            "contested": selectors.most_contested(overview.matrix, CONTESTED_ON_HOME),
            "contested_total": sum(1 for v in overview.matrix.divergence.values() if v > 0),
            "topic_groups": _group(overview.topics),
            "heatmap": heatmap,
            "heat_rows": heat_rows,
        },
    )


def _group(entries: list[selectors.TopicEntry]) -> list[tuple[selectors.TopicEntry, list]]:
    """Top-level topics, each with the topics below it (already in tree order)."""
    groups: list[tuple[selectors.TopicEntry, list]] = []
    for entry in entries:
        if entry.depth == 0 or not groups:
            groups.append((entry, []))
        else:
            groups[-1][1].append(entry)
    return groups
