"""Admin pieces for revisions: where a source stands among its revisions, and what an edit of
the text did to the meaning of its claims."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims import revisions
from claims.models import Claim, Source, Stance

from .base import shorten


def revision_context(request, source: Source, *, changes: bool = False) -> dict:
    """What the change form and the annotation screen show of a source's revisions: for a
    published source its working copy (if any), for a working copy what it revises and, with
    `changes`, what it changes."""
    context = {"can_start_revision": request.user.has_perm("claims.change_source")}
    if source.is_published:
        context["working_copy"] = Source.objects.filter(revision_of=source).first()
    elif source.revision_of_id is not None:
        context["revision_of"] = source.revision_of
        if changes:
            context["changes"] = revisions.diff(source)
    return context


def words_changed_message(source: Source, result):
    """The claims whose words changed, each with its old and new words, and the stances now
    awaiting re-checking."""
    claims = Claim.objects.filter(pk__in=result.words_changed).order_by("start")
    rechecks = Stance.objects.filter(pk__in=result.rechecks).count()
    return format_html(
        "The words of {} claim(s) changed, so {} stance(s) on them must be re-checked before "
        'publishing: {}. <a href="{}">Re-check them on the annotation screen</a>.',
        len(result.words_changed),
        rechecks,
        format_html_join(
            "; ",
            "“{}” → “{}”",
            (
                (shorten(result.old_quotes.get(claim.pk, ""), 70), shorten(claim.quote, 70))
                for claim in claims
            ),
        ),
        reverse("admin:claims_source_annotate", args=[source.pk]),
    )
