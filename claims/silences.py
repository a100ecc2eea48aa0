"""Confirming that a source is silent on a proposition, taking it back, and reading the
confirmed silences for the public matrices.

The annotation screen calls the writes; `claims.annotating.add_stances` removes a silence when
a stance on the proposition is added to the source. The topic matrix, the proposition page and
the API's matrix read `confirmed_silences` (kept here rather than in `claims.selectors`, which
is long enough).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from claims.annotating import AnnotationError
from claims.models import ConfirmedSilence, Proposition, Source, Stance


@transaction.atomic
def confirm_silence(
    *, source: Source, proposition: Proposition, by, note: str = ""
) -> ConfirmedSilence:
    """Record that `by` checked `source` and found nothing on `proposition`.

    Refused when a claim of the source already takes a stance on the proposition; confirming
    twice keeps the first record.
    """
    existing = ConfirmedSilence.objects.filter(source=source, proposition=proposition).first()
    if existing is not None:
        return existing
    silence = ConfirmedSilence(source=source, proposition=proposition, confirmed_by=by, note=note)
    try:
        silence.full_clean()
    except ValidationError as error:
        raise AnnotationError(" ".join(error.messages)) from error
    silence.save()
    return silence


@transaction.atomic
def withdraw_silence(*, source: Source, proposition: Proposition) -> bool:
    """Take back a confirmed silence; returns whether there was one."""
    silence = ConfirmedSilence.objects.filter(source=source, proposition=proposition).first()
    if silence is None:
        return False
    silence.delete()
    return True


def confirmed_silences(
    proposition_ids: Iterable[int], source_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """(proposition, source) pairs confirmed silent, for published sources only, and only
    where the source has no claim on the proposition (a claim added since overrides it)."""
    spoken = Stance.objects.filter(
        claim__source_id=OuterRef("source_id"), proposition_id=OuterRef("proposition_id")
    )
    rows = ConfirmedSilence.objects.published().filter(proposition_id__in=list(proposition_ids))
    if source_ids is not None:
        rows = rows.filter(source_id__in=list(source_ids))
    return set(rows.exclude(Exists(spoken)).values_list("proposition_id", "source_id"))
