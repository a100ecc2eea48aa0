"""Topic and proposition pages: where sources stand, side by side."""

from collections import Counter

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims import freshness, positions, selectors
from claims.forms import MatrixOrderForm, VoiceForm
from claims.models import Proposition, Source
from claims.pagecache import about, cached_page
from claims.silences import confirmed_silences

PROPOSITIONS_PER_PAGE = 20
COLUMNS_ON_TOPIC = 12


@require_safe
@cached_page(params=("rows", "cols", "page", "voice"), tags=about("topic"))
def topic_detail(request, slug: str):
    """The proposition × source matrix of a topic and of every topic below it, a page at a time.

    Rows are the topic's published propositions (most divided first, from the summaries, or
    alphabetically); columns are the sources taking a position on the propositions of the page,
    at most COLUMNS_ON_TOPIC of them (those with the most positions here), so that the page
    costs the same however many sources the corpus holds. A shown source that says nothing on a
    row shows "not addressed"; the sources that say nothing on any row are counted, not listed.
    Sort orders come from `MatrixOrderForm`: only its listed values are ever used.
    """
    tree = selectors.topic_tree()
    tally = selectors.corpus_tally(tree)
    topic = next((t for t in tree.topics.values() if t.slug == slug), None)
    # A topic no published proposition is filed under (drafts only, or none) is not public.
    if topic is None or topic.pk not in tally.per_topic:
        raise Http404("No such topic.")
    order_form = MatrixOrderForm(request.GET)
    order = order_form.orders()
    voice_form = VoiceForm(request.GET)
    voice = voice_form.voice_value()
    rows_order = (
        selectors.CONTESTED_ORDER
        if order["rows"] == "divergence"
        else ("proposition__text", "proposition_id")
    )
    filed = (
        selectors.published_summaries()
        .filter(proposition__topics__in=tree.descendants(topic.pk))
        .distinct()
        .order_by(*rows_order)
    )
    page = Paginator(filed, PROPOSITIONS_PER_PAGE).get_page(request.GET.get("page"))
    summaries = [selectors.summary_of(row) for row in page]
    matrix = selectors.build_matrix(
        selectors.stances_on(s.proposition.pk for s in summaries).order_by(), voice=voice
    )
    if voice != "own":
        # The stored summaries count own views only; the row figures follow the chosen voice
        # (the order of the rows stays that of the sources' own views).
        summaries = [selectors.summarise(matrix, s.proposition) for s in summaries]
    speaking = len(matrix.sources)
    matrix.sources = selectors.order_sources(_busiest(matrix, COLUMNS_ON_TOPIC), order["cols"])
    matrix.silences = confirmed_silences(
        [s.proposition.pk for s in summaries], [s.pk for s in matrix.sources]
    )
    return render(
        request,
        "claims/topic.html",
        {
            "topic": topic,
            "ancestors": tree.ancestors(topic.pk),
            "children": [
                tree.topics[pk] for pk in tree.children.get(topic.pk, []) if pk in tally.per_topic
            ],
            "matrix": matrix,
            "rows": [(summary, matrix.marked_row(summary.proposition)) for summary in summaries],
            "page": page,
            "contested": any(summary.divergence > 0 for summary in summaries),
            "order": order,
            "order_form": order_form,
            "voice": voice,
            "voice_form": voice_form,
            "speaking": speaking,
            "hidden_columns": speaking - len(matrix.sources),
            "silent": max(0, tally.sources - speaking),
            "source_total": tally.sources,
        },
    )


def _silent_sources(speaking: list[int]) -> list[Source]:
    """The published sources that say nothing on a proposition, when they are few enough to
    name (at most SILENT_NAMED are read)."""
    return selectors.order_sources(
        Source.objects.published()
        .exclude(pk__in=speaking)
        .select_related("publisher")
        .only("slug", "title", "published_on", "publisher__name")[:SILENT_NAMED],
        "date",
    )


def _confirmed_sources(ids: set[int]) -> list[Source]:
    """The published sources confirmed silent on a proposition, at most SILENT_NAMED."""
    if not ids:
        return []
    return selectors.order_sources(
        Source.objects.published()
        .filter(pk__in=ids)
        .select_related("publisher")
        .only("slug", "title", "published_on", "publisher__name")[:SILENT_NAMED],
        "date",
    )


def _busiest(matrix: selectors.Matrix, limit: int) -> list:
    """The `limit` sources with the most positions in the matrix (ties: newest first)."""
    held = Counter(source for (_, source) in matrix.cells)
    ranked = sorted(selectors.order_sources(matrix.sources, "date"), key=lambda s: -held[s.pk])
    return ranked[:limit]


def _proposition_tags(request, slug: str) -> list[str]:
    """The proposition, and the topics it is filed under: the page lists their other
    propositions."""
    return [freshness.tag("proposition", slug), freshness.TOPICS_OF + slug]


SOURCES_ON_PROPOSITION = 12
RELATED_PROPOSITIONS = 10
# Silent sources are named when there are this few (a small corpus); beyond, only counted.
SILENT_NAMED = 12


@require_safe
@cached_page(params=("page", "voice"), tags=_proposition_tags)
def proposition_detail(request, slug: str):
    """One proposition: a column per source that addresses it, with the quoted claims.

    The sources that say nothing are counted (published sources minus those addressing it),
    not listed: in a large corpus that list would be nearly the whole corpus. With many
    sources addressing it, the columns come a page at a time. Propositions that no published
    source takes a stance on do not exist for the public.
    """
    proposition = get_object_or_404(Proposition.objects.published(), slug=slug)
    topics = list(proposition.topics.all())
    summary = selectors.summary_of(selectors.published_summaries().get(proposition=proposition))
    voice_form = VoiceForm(request.GET)
    voice = voice_form.voice_value()
    matrix = selectors.proposition_matrix(proposition, voice=voice)
    if voice != "own":
        # The stored summaries count own views only; every claim is counted from the row.
        summary = selectors.summarise(matrix, proposition)
    # Sources grouped by position from supports to contradicts (then neutral, then those that
    # only report others' views), newest first within each, so that the sides of a
    # disagreement stand next to each other.
    matrix.sources = selectors.order_sources(matrix.sources, "date")
    order = {label: i for i, label in enumerate(positions.POSITION_LABELS)}
    columns = sorted(
        ((source, matrix.cell(proposition.pk, source.pk)) for source in matrix.sources),
        key=lambda item: order.get(item[1].position, len(order)),
    )
    page = Paginator(columns, SOURCES_ON_PROPOSITION).get_page(request.GET.get("page"))
    source_total = selectors.corpus_tally().sources
    silent = max(0, source_total - len(columns))
    confirmed = {source for _, source in confirmed_silences([proposition.pk])}
    named = _silent_sources([s.pk for s in matrix.sources]) if 0 < silent <= SILENT_NAMED else []
    confirmed_named = _confirmed_sources(confirmed)
    return render(
        request,
        "claims/proposition.html",
        {
            "proposition": proposition,
            "topics": topics,
            "summary": summary,
            "columns": list(page),
            "page": page,
            "addressing": len(columns),
            "silent": silent,
            "silent_sources": [s for s in named if s.pk not in confirmed],
            "confirmed_silent": len(confirmed),
            "confirmed_sources": confirmed_named,
            "source_count": source_total,
            "voice": voice,
            "voice_form": voice_form,
            "related": selectors.related_summaries(proposition, topics, RELATED_PROPOSITIONS),
        },
    )
