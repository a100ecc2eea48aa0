"""Topic and proposition pages: where sources stand, side by side."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims import charts, freshness, positions, selectors, timeline
from claims.forms import MatrixOrderForm, VoiceForm
from claims.models import Proposition, Source
from claims.pagecache import about, cached_page
from claims.silences import confirmed_silences


@require_safe
@cached_page(params=("rows", "cols", "page", "voice"), tags=about("topic"))
def topic_detail(request, slug: str):
    """The proposition × source matrix of a topic (`selectors.topic_answer`, which the API's
    matrix adapts too). A shown source that says nothing on a row shows "not addressed"; the
    sources that say nothing on any row are counted, not listed. Sort orders come from
    `MatrixOrderForm`: only its listed values are ever used.
    """
    order_form = MatrixOrderForm(request.GET)
    order = order_form.orders()
    voice_form = VoiceForm(request.GET)
    voice = voice_form.voice_value()
    try:
        answer = selectors.topic_answer(
            slug, rows=order["rows"], cols=order["cols"], page=request.GET.get("page"), voice=voice
        )
    except selectors.NotPublic:
        # A topic no published proposition is filed under (drafts only, or none).
        raise Http404("No such topic.") from None
    return render(
        request,
        "claims/topic.html",
        {
            "topic": answer.topic,
            "ancestors": answer.ancestors,
            "children": answer.children,
            "matrix": answer.matrix,
            "rows": answer.rows(),
            "page": answer.page,
            "contested": answer.contested,
            "order": order,
            "order_form": order_form,
            "voice": voice,
            "voice_form": voice_form,
            "speaking": answer.speaking,
            "hidden_columns": answer.hidden_columns,
            "silent": answer.silent,
            "source_total": answer.source_total,
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
    over_time = timeline.timeline((source, cell.evidence) for source, cell in columns)
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
            "timeline": over_time,
            "timeline_chart": charts.timeline_chart(over_time),
        },
    )
