"""The home page and the index of sources: the published corpus at a glance."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from claims import selectors
from claims.pagecache import cached_page

from .common import agreement_heatmap

CONTESTED_ON_HOME = 8
SOURCES_ON_HOME = 10
SOURCES_IN_MAP = 12
SUBTOPICS_ON_CARD = 8
SOURCES_PER_PAGE = 50


@require_safe
def topic_index(request):
    """The home page lists the topics and, under them, the propositions: `/topics/` and
    `/propositions/` lead there."""
    return redirect(f"{reverse('claims:home')}#topics")


@require_safe
@cached_page()
def home(request):
    """Counts, topics, the most contested propositions, the latest sources and an agreement map.

    Each part is bounded: counts come from the tally (worked out once per edit), the ranking
    from the proposition summaries, and only a capped number of propositions and sources are
    read in full. Everything reads published material only, so a draft changes nothing here.
    """
    tree = selectors.topic_tree()
    tally = selectors.corpus_tally(tree)
    contested = selectors.contested_summaries(CONTESTED_ON_HOME)
    heat_sources = selectors.agreement_sources(contested, SOURCES_IN_MAP)
    # The map and the sides need positions only, read as plain rows, not quotes.
    agreement = selectors.pairwise_agreement(selectors.held_by_sources(heat_sources))
    heatmap, heat_rows = agreement_heatmap(heat_sources, agreement)
    recent = selectors.recent_sources(SOURCES_ON_HOME)
    per_source = selectors.claims_per_source(recent)
    return render(
        request,
        "claims/home.html",
        {
            "tally": tally,
            "sources": [(s, per_source.get(s.pk, 0)) for s in recent],
            "more_sources": tally.sources > len(recent),
            "contested": selectors.contested_sides(contested),
            "topic_groups": _group(tree, tally),
            "heatmap": heatmap,
            "heat_rows": heat_rows,
            "heat_partial": tally.sources > len(heat_sources),
        },
    )


@require_safe
@cached_page(params=("after",))
def source_index(request):
    """Every published source, the most recently added first, a page at a time.

    Pages follow each other by the last source's id (`?after=`), so a page costs the same
    however deep into the corpus it is.
    """
    after = request.GET.get("after", "")
    after_id = int(after) if after.isdigit() else None
    sources = selectors.recent_sources(SOURCES_PER_PAGE + 1, after=after_id)
    page, more = sources[:SOURCES_PER_PAGE], len(sources) > SOURCES_PER_PAGE
    per_source = selectors.claims_per_source(page)
    next_url = f"{reverse('claims:sources')}?{urlencode({'after': page[-1].pk})}" if more else None
    return render(
        request,
        "claims/sources.html",
        {
            "sources": [(s, per_source.get(s.pk, 0)) for s in page],
            "next_url": next_url,
            "first_page": after_id is None,
            "tally": selectors.corpus_tally(),
        },
    )


def _group(tree: selectors.TopicTree, tally: selectors.Tally) -> list[tuple]:
    """Top-level topics with published propositions, each with (up to a few of) the topics
    below it; the most contested subjects first, so that a newcomer starts where the sources
    disagree most."""
    groups = []
    for pk in tree.children.get(None, []):
        if pk not in tally.per_topic:
            continue
        children = [
            _entry(tree, tally, child, 1)
            for child in tree.children.get(pk, [])
            if child in tally.per_topic
        ]
        children.sort(key=lambda e: (-e.contested, -e.propositions, e.topic.name))
        groups.append(
            (
                _entry(tree, tally, pk, 0),
                children[:SUBTOPICS_ON_CARD],
                max(0, len(children) - SUBTOPICS_ON_CARD),
            )
        )
    return sorted(
        groups, key=lambda group: (-group[0].contested, -group[0].propositions, group[0].topic.name)
    )


def _entry(tree, tally, pk: int, depth: int) -> selectors.TopicEntry:
    propositions, contested = tally.per_topic[pk]
    return selectors.TopicEntry(tree.topics[pk], depth, propositions, contested)
