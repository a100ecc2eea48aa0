"""Creating propositions without repeating one: the near-duplicate check every path shares.

The admin's add form, the annotation screen's "new proposition" and the API's create call
`check_distinct` (through `create_proposition` or `claims.annotating`), so that a wording close
to an existing one is shown with its near-duplicates first, and is created only when the
editor confirms that it says something else.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from claims.models import Proposition, Topic
from claims.suggesting.propositions import Suggestion, near_duplicates


class NearDuplicateError(ValueError):
    """The wording is close to existing propositions; `candidates` are those, closest first."""

    def __init__(self, candidates: list[Suggestion]) -> None:
        self.candidates = candidates
        names = "; ".join(f"“{c.proposition.text}”" for c in candidates[:3])
        super().__init__(
            f"Close to {len(candidates)} existing proposition(s): {names}. Use one of them, "
            "or confirm that the new wording says something else."
        )


def check_distinct(*, text: str, exclude: int | None = None, confirmed: bool = False) -> None:
    """Raise NearDuplicateError when `text` is close to an existing proposition's wording,
    unless the editor `confirmed` that it is distinct. An identical wording (ignoring case and
    spacing) is refused even when confirmed: it is the same proposition."""
    normalized = " ".join(text.split())
    candidates = near_duplicates(normalized, exclude=exclude)
    folded = normalized.casefold()
    identical = [c for c in candidates if " ".join(c.proposition.text.split()).casefold() == folded]
    if identical or (candidates and not confirmed):
        raise NearDuplicateError(identical or candidates)


def unique_slug(text: str) -> str:
    """A slug made from the wording, numbered when it is taken."""
    base = slugify(text)[:180].strip("-") or "proposition"
    slug, n = base, 2
    while Proposition.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_proposition(
    *,
    text: str,
    by,
    slug: str = "",
    notes: str = "",
    topics: Iterable[Topic] = (),
    confirmed_distinct: bool = False,
) -> Proposition:
    """Create a proposition after the near-duplicate check (see `check_distinct`)."""
    text = " ".join(text.split())
    check_distinct(text=text, confirmed=confirmed_distinct)
    proposition = Proposition.objects.create(
        text=text, slug=slug or unique_slug(text), notes=notes, created_by=by
    )
    topics = list(topics)
    if topics:
        proposition.topics.add(*topics)
    return proposition
