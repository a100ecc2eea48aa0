"""The reading view: one source's text with its claims highlighted where they stand."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from claims import agreement_reports, display, positions, reading, selectors
from claims.models import Authorship, ClaimAttribution, Source
from claims.pagecache import about, cached_page

from .common import compare_url

COMPARE_WITH = 12


@require_safe
@cached_page(tags=about("source"))
def source_detail(request, slug: str):
    """Metadata, the text from `source.blocks` with claim highlights, and the list of claims.

    Claims may nest or overlap, so the text is cut into segments at every claim boundary
    (`claims.reading`); each segment names the claims covering it. Orphaned claims (their
    words are no longer in the text) are never public, so every claim listed has its span; one
    the layout cannot place is listed with a note instead of a highlight.
    """
    source = get_object_or_404(
        Source.objects.published()
        .select_related("publisher")
        .prefetch_related(
            Prefetch("authorships", queryset=Authorship.objects.select_related("author"))
        ),
        slug=slug,
    )
    claims = selectors.source_claims(source)
    spans = [reading.Span(claim.pk, claim.start, claim.end) for claim in claims]
    blocks = reading.render_blocks(source.body, source.blocks, spans)
    placed = reading.placed(blocks)
    marks, notes, rows = {}, [], []
    for claim in claims:
        stances = list(claim.stances.all())
        label = display.claim_label([s.label for s in stances]) or positions.NEUTRAL
        marks[claim.pk] = label
        notes.append((claim, stances, label, claim.pk in placed))
        rows.extend(
            positions.StanceRow(
                source=source.pk,
                proposition=s.proposition_id,
                label=s.label,
                claim=claim.pk,
                attribution=claim.attribution,
            )
            for s in stances
        )
    held = positions.source_positions(rows).get(source.pk, {})
    propositions = {s.proposition_id: s.proposition for _, stances, _, _ in notes for s in stances}
    # What the reader may filter the highlights by: only values some claim here has.
    labels = {s.label for _, stances, _, _ in notes for s in stances}
    voices = {claim.attribution: claim.get_attribution_display() for claim in claims}
    filters = {
        "propositions": sorted(propositions.values(), key=lambda p: p.text.casefold()),
        "labels": [display.STANCES[label] for label in display.STANCES if label in labels],
        "attributions": [
            (value, voices[value]) for value, _ in ClaimAttribution.choices if value in voices
        ],
    }
    # Compared with a capped number of sources that address some of the same propositions:
    # listing every published source would grow with the corpus.
    others = [
        (other, compare_url(source, other))
        for other in selectors.sharing_sources(source, COMPARE_WITH)
    ]
    return render(
        request,
        "claims/source.html",
        {
            "source": source,
            "authorships": list(source.authorships.all()),
            "parts": reading.group_parts(blocks),
            "rest": reading.tail(source.body, blocks),
            "marks": marks,
            "notes": notes,
            "positions": sorted(
                ((propositions[pk], position) for pk, position in held.items()),
                key=lambda item: item[0].text.casefold(),
            ),
            "others": others,
            "filters": filters,
            "language": display.language_name(source.language),
            "translated_from": display.language_name(source.translated_from),
            "double_reading": agreement_reports.double_reading(source.pk),
        },
    )


@require_safe
@cached_page(tags=about("source"))
def source_text(request, slug: str):
    """The published text alone, as stored: the plain-text representation of the source.

    Its characters are the ones the claims' offsets count (code points) and the ones the reading
    view's `#source-text` element holds, so W3C selectors resolve on either.
    """
    source = get_object_or_404(Source.objects.published().only("body", "language"), slug=slug)
    response = HttpResponse(source.body, content_type="text/plain; charset=utf-8")
    if source.language:
        response["Content-Language"] = source.language
    return response
