"""Which of the shared vocabulary the public may see.

Topics and actors are shared by drafts and published sources. One that only drafts use (a new
actor named in a claim not yet published, a topic filed only under draft-only propositions)
would tell the public what editors are working on, so public lists and pages leave it out; it
appears once published material uses it. Editors see everything.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, QuerySet

from claims.models import Actor, Claim, Proposition, PropositionSummary, Topic


def public_topic_ids() -> set[int]:
    """Topics the public may see: those with a published proposition filed under them or under
    a topic below them. A topic only drafts use (or none) is listed nowhere public.

    Which propositions are published is read from their summaries (one row each, kept by the
    writes that move them), except for the few whose summary a write has just marked and not yet
    settled, or that have none: those are checked against their stances. Asking every
    proposition's stances at once would join every published stance (seconds at a million
    claims); the summaries give the same answer from one small index. Three queries.
    """
    settled = PropositionSummary.objects.filter(settled__gte=F("marks"))
    filed = Proposition.topics.through.objects
    direct = set(
        filed.filter(
            proposition_id__in=settled.filter(sources__gt=0).values("proposition_id")
        ).values_list("topic_id", flat=True)
    )
    # The few others, each probed through the stances' proposition index.
    unsettled = Proposition.objects.published().exclude(pk__in=settled.values("proposition_id"))
    direct.update(filed.filter(proposition__in=unsettled).values_list("topic_id", flat=True))
    parents = dict(Topic.objects.values_list("pk", "parent_id"))
    public: set[int] = set()
    for pk in direct:
        while pk is not None and pk not in public:
            public.add(pk)
            pk = parents.get(pk)
    return public


def public_actors() -> QuerySet[Actor]:
    """Actors that a claim of a published source names as its speaker or mentions; an actor
    only drafts name is listed nowhere public."""
    published = Claim.objects.published()
    mentioned = Claim.actors.through.objects.filter(
        actor=OuterRef("pk"), claim__in=published.values("pk")
    )
    return Actor.objects.filter(
        Exists(published.filter(speaker=OuterRef("pk"))) | Exists(mentioned)
    )
