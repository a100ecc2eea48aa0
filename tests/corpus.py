"""Test helpers for the public pages: grow the published corpus, make drafts, read pages.

`grow` adds published sources shaped like the seeds (outlet, author, claims, stances on seed
propositions and on a new proposition of a seed topic), so that a page's query count can be
pinned at two sizes of data.
"""

from __future__ import annotations

import re

from django.utils import timezone

from claims import summaries
from claims.models import Authorship, ConfirmedSilence, Proposition, Source, Stance, Topic
from claims.publishing import publish_source
from claims.revisions import start_revision

from .factories import (
    ActorFactory,
    AuthorFactory,
    ClaimFactory,
    PropositionFactory,
    PublisherFactory,
    SourceFactory,
    StanceFactory,
    UserFactory,
    reviewer_user,
)

# The factory body: two sentences, two blocks.
FIRST = (0, 46)  # "Moscow and Tehran deepened their defence ties."
SECOND = (48, 89)  # "The corridor remains a red line for Iran."

SEED_SOURCES = (
    "russia-and-iran-new-divides",
    "corridor-dividing-russia-and-iran",
    "does-russia-support-iran",
    "russia-and-iran-diverge-in-the-south-caucasus",
    "iran-russia-alliance-ejp",
)

SEED_PROPOSITIONS = (
    "russia-backs-zangezur-corridor",
    "russia-tilts-toward-azerbaijan",
    "iran-opposes-zangezur-corridor",
)


def publish(source: Source) -> Source:
    source.status = Source.Status.PUBLISHED
    source.published_at = timezone.now()
    source.save()
    return source


def grow(count: int = 3) -> list[Source]:
    """Add `count` published sources, each with an outlet, an author, claims and stances."""
    annotator = UserFactory(username="grower")
    topic = Topic.objects.get(slug="zangezur-corridor")
    seeds = list(Proposition.objects.filter(slug__in=SEED_PROPOSITIONS))
    added = []
    for n in range(count):
        # Content first, publication last: a published revision is read-only.
        source = SourceFactory(
            publisher=PublisherFactory(),
            published_on=timezone.now().date() - timezone.timedelta(days=n),
        )
        Authorship.objects.create(source=source, author=AuthorFactory())
        extra = PropositionFactory()
        extra.topics.add(topic)
        speaker = ActorFactory()
        first = ClaimFactory(source=source, span=FIRST, speaker=speaker)
        second = ClaimFactory(source=source, span=SECOND)
        nested = ClaimFactory(source=source, span=(52, 60))
        labels = ["supports", "contradicts", "mixed"]
        for i, proposition in enumerate(seeds):
            StanceFactory(
                claim=first, proposition=proposition, label=labels[(i + n) % 3], annotator=annotator
            )
        StanceFactory(claim=second, proposition=seeds[0], label="contradicts", annotator=annotator)
        StanceFactory(claim=nested, proposition=extra, label="supports", annotator=annotator)
        added.append(publish(source))
    # The published stances count in the proposition summaries, as they do once a publication
    # commits (tests never commit).
    summaries.refresh()
    return added


NONCE = re.compile(r'nonce="[^"]*"')


def silent_on(slug: str) -> ConfirmedSilence:
    """Confirm one more published source silent on a proposition (one that has no claim on
    it and is not confirmed yet)."""
    proposition = Proposition.objects.get(slug=slug)
    speaking = Stance.objects.filter(proposition=proposition).values("claim__source")
    source = (
        Source.objects.published()
        .exclude(pk__in=speaking)
        .exclude(silences__proposition=proposition)
        .order_by("pk")
        .first()
    )
    # Confirmed in its working copy, which a reviewer publishes: a published revision is
    # read-only.
    copy = start_revision(source=source, by=None)
    ConfirmedSilence.objects.create(source=copy, proposition=proposition)
    publish_source(source=copy, by=reviewer_user())
    return ConfirmedSilence.objects.get(source=source, proposition=proposition)


def normalised(response) -> str:
    """A page's HTML without the per-request nonce, for comparing two renderings."""
    return NONCE.sub('nonce=""', response.content.decode())


def page_urls() -> list[str]:
    """Every kind of public page on the seed corpus (no database needed to list them)."""
    return [
        "/",
        "/topics/south-caucasus/",
        "/topics/zangezur-corridor/",
        "/topics/zangezur-corridor/?rows=text&cols=publisher",
        "/propositions/russia-backs-zangezur-corridor/",
        "/propositions/russia-tilts-toward-azerbaijan/",
        *[f"/sources/{slug}/" for slug in SEED_SOURCES],
        "/publishers/fanack/",
        "/publishers/geopolitical-futures/",
        "/authors/vali-kaleji/",
        "/authors/kamran-bokhari/",
        "/compare/",
        "/compare/?a=russia-and-iran-new-divides&b=iran-russia-alliance-ejp",
        "/search/",
        "/search/?q=corridor",
    ]


def revise(source: Source, change) -> Source:
    """Edit a published source as editors do: `change(copy)` on its working copy, which a
    reviewer then publishes. Returns the published source, as it now is."""
    copy = start_revision(source=source, by=None)
    change(copy)
    publish_source(source=copy, by=reviewer_user())
    return Source.objects.get(pk=source.pk)
