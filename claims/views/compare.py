"""Two sources side by side: where they agree, where they diverge, what only one covers."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from claims import freshness, selectors
from claims.forms import CompareForm, VoiceForm
from claims.models import Source
from claims.pagecache import cached_page

SUGGESTIONS = 50
# The columns of a source that the comparison never shows.
SOURCE_TEXT = ("body", "blocks", "provenance")


def _compared(request) -> list[str]:
    """The two sources compared, and the overview: every form on the page suggests the most
    recently published sources."""
    named = [slug for name in ("a", "b") for slug in request.GET.getlist(name) if slug]
    return [freshness.OVERVIEW, *(freshness.tag("source", slug) for slug in named)]


@require_safe
@cached_page(params=("a", "b", "voice"), tags=_compared)
def compare(request):
    """Compare `?a=<slug>&b=<slug>`, two published sources.

    Without parameters the page is the picker. A missing, unknown or repeated slug gives the
    picker again with the problem named (status 400). A draft's slug is answered exactly like an
    unknown one, so that the page does not reveal that a draft of that name exists.
    """
    sources = Source.objects.published().select_related("publisher").defer(*SOURCE_TEXT)
    if not request.GET.get("a") and not request.GET.get("b"):
        return _picker(request, CompareForm(sources=sources), status=200)
    form = CompareForm(request.GET, sources=sources)
    if not form.is_valid():
        return _picker(request, form, status=400)
    a, b = form.found[form.cleaned_data["a"]], form.found[form.cleaned_data["b"]]
    voice_form = VoiceForm(request.GET)
    voice = voice_form.voice_value()
    comparison = selectors.compare_sources(a, b, voice=voice)
    result = comparison.agreement
    return render(
        request,
        "claims/compare.html",
        {
            "form": form,
            "a": a,
            "b": b,
            "agreement": result,
            "voice": voice,
            "voice_form": voice_form,
            "diverging": comparison.rows(result.diverging),
            "agreeing": comparison.rows(result.agreeing),
            "only_a": comparison.rows(result.only_a),
            "only_b": comparison.rows(result.only_b),
            "swap_url": f"{reverse('claims:compare')}?{urlencode({'a': b.slug, 'b': a.slug})}",
            "canonical_query": urlencode({"a": a.slug, "b": b.slug}),
            "suggestions": suggestions(),
        },
    )


def _picker(request, form: CompareForm, *, status: int):
    context = {"form": form, "suggestions": suggestions()}
    return render(request, "claims/compare_pick.html", context, status=status)


def suggestions() -> list[Source]:
    """What the picker offers: the most recently published sources, a bounded list (any other
    published source can be typed by its slug)."""
    return list(
        Source.objects.published()
        .select_related("publisher")
        .order_by("-published_at", "-pk")  # published sources always have published_at
        .only("slug", "title", "publisher__name")[:SUGGESTIONS]
    )
