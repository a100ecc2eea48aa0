"""How to cite a published quote: plain text, BibTeX and CSL-JSON on one page."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from claims import citations
from claims.models import Authorship, Claim
from claims.pagecache import cached_page


def citation_for(request, claim: Claim) -> citations.Citation:
    """The facts of a citation of `claim`, from its published source."""
    source = claim.source
    authors = tuple(
        Authorship.objects.filter(source=source, role=Authorship.Role.AUTHOR)
        .order_by("order", "pk")
        .values_list("author__name", flat=True)
    )
    reading = request.build_absolute_uri(reverse("claims:source", args=[source.slug]))
    return citations.Citation(
        quote=claim.quote,
        title=source.title,
        permalink=f"{reading}#claim-{claim.pk}",
        key_hint=f"claim-{claim.pk}",
        authors=authors,
        publisher=source.publisher.name if source.publisher else "",
        published_on=source.published_on,
        original_url=source.url,
        accessed=timezone.localdate(),
        language=source.language,
    )


@require_safe
@cached_page()
def cite(request, pk: int):
    """A published claim's citation in three forms, each in a box to select or copy (the copy
    buttons are cite.js's; without script the boxes are there to select)."""
    claim = get_object_or_404(Claim.objects.published().with_source("source__publisher"), pk=pk)
    citation = citation_for(request, claim)
    return render(
        request,
        "claims/cite.html",
        {
            "claim": claim,
            "source": claim.source,
            "citation": citation,
            "forms": [
                ("plain", "Plain text", citations.plain_text(citation)),
                ("bibtex", "BibTeX", citations.bibtex(citation)),
                ("csl", "CSL-JSON (Zotero, Mendeley, Pandoc)", citations.csl_json(citation)),
            ],
        },
    )
