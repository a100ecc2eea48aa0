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
    writes that move them): each topic is asked whether one of the propositions filed under it
    has a settled summary with published sources, which stops at the first it finds, so the
    cost follows the number of topics, not of propositions. Only under the topics where none is
    found are the propositions whose summary a write has marked and not yet settled, or that
    have none, checked against their stances. Asking every proposition's stances at once
    would join every published stance (seconds at a million claims). Two or three queries.
    """
    filed = Proposition.topics.through.objects
    public_summary = PropositionSummary.objects.filter(
        proposition_id=OuterRef("proposition_id"), sources__gt=0, settled__gte=F("marks")
    )
    direct = set(
        Topic.objects.filter(
            Exists(filed.filter(topic_id=OuterRef("pk")).filter(Exists(public_summary)))
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    parents = dict(Topic.objects.order_by().values_list("pk", "parent_id"))
    others = set(parents) - direct
    if others:
        # Under the other topics, the propositions no settled summary answers for, each probed
        # through the stances' proposition index.
        settled = PropositionSummary.objects.filter(
            proposition_id=OuterRef("pk"), settled__gte=F("marks")
        )
        unsettled = (
            Proposition.objects.filter(~Exists(settled))
            .filter(pk__in=filed.filter(topic_id__in=others).values("proposition_id"))
            .published()
        )
        direct.update(
            filed.filter(proposition__in=unsettled, topic_id__in=others).values_list(
                "topic_id", flat=True
            )
        )
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
