"""The home page: the published corpus at a glance."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from claims import positions, selectors
from claims.pagecache import cached_page

from .common import agreement_heatmap

CONTESTED_ON_HOME = 8


@require_safe
@cached_page()
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
            "contested": [
                (summary, _sides(overview.matrix, summary.proposition))
                for summary in selectors.most_contested(overview.matrix, CONTESTED_ON_HOME)
            ],
            "contested_total": sum(1 for v in overview.matrix.divergence.values() if v > 0),
            "topic_groups": _group(overview.topics),
            "heatmap": heatmap,
            "heat_rows": heat_rows,
        },
    )


def _group(entries: list[selectors.TopicEntry]) -> list[tuple[selectors.TopicEntry, list]]:
    """Top-level topics, each with the topics below it; the most contested subjects first, so
    that a newcomer starts where the sources disagree most."""
    groups: list[tuple[selectors.TopicEntry, list]] = []
    for entry in entries:
        if entry.depth == 0 or not groups:
            groups.append((entry, []))
        else:
            groups[-1][1].append(entry)
    return sorted(
        groups, key=lambda group: (-group[0].contested, -group[0].propositions, group[0].topic.name)
    )


def _sides(matrix: selectors.Matrix, proposition) -> list[tuple[str, list]]:
    """Who stands where on a proposition: each position with the sources holding it."""
    held: dict[str, list] = {}
    for source, cell in matrix.row(proposition):
        if cell is not None:
            held.setdefault(cell.position, []).append(source)
    return [(label, held[label]) for label in positions.LABELS if label in held]
