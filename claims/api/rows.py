"""How the API shows claims and stances: the one output path for lists, details, the claims a
source's detail embeds, and the answers to writes.

A page of 50 claims with their stances is several hundred model instances and a few thousand
serializer field calls; read as tuples and assembled here, the same page costs little more than
the query itself. `ClaimSerializer` and `StanceSerializer` describe the schema and handle every
write; their output is built here (their `to_representation`), so that a field cannot say one
thing in a list and another in a detail. Tests check that the fields built here are the fields
the schema names.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, QuerySet

from claims.models import Claim, Stance

from .links import link

# The columns a listed claim or stance shows, read in the page query itself (joins, not
# model instances); the cursor's ordering fields (id, start, created, modified) are among them.
CLAIM_FIELDS = (
    "id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "kind",
    "attribution",
    "note",
    "anchor_state",
    "created",
    "modified",
)
CLAIM_JOINED = {
    "source_slug": F("source__slug"),
    "speaker_slug": F("speaker__slug"),
    "created_by_name": F("created_by__username"),
}
STANCE_FIELDS = ("id", "claim_id", "label", "note", "created", "modified")
STANCE_JOINED = {
    "proposition_slug": F("proposition__slug"),
    "annotator_name": F("annotator__username"),
}


def claim_values(queryset):
    return queryset.values(*CLAIM_FIELDS, **CLAIM_JOINED)


def stance_values(queryset):
    return queryset.values(*STANCE_FIELDS, **STANCE_JOINED)


def claims_page(rows: list[dict], request, *, stances: QuerySet[Stance]) -> list[dict]:
    """The API representation of a page of claim rows, with their actors and those of their
    stances that are in `stances` (the stances the client may see): two queries."""
    ids = [row["id"] for row in rows]
    actors: dict[int, list[str]] = defaultdict(list)
    for claim_id, slug in (
        Claim.actors.through.objects.filter(claim_id__in=ids)
        .order_by("actor__name", "actor_id")  # Actor's default ordering
        .values_list("claim_id", "actor__slug")
    ):
        actors[claim_id].append(slug)
    shown: dict[int, list[dict]] = defaultdict(list)
    for stance_id, claim_id, slug, text, label, annotator, note in (
        stances.filter(claim_id__in=ids)
        # Stance's default ordering, which the serializer's prefetch follows: by claim, then
        # by proposition (whose own ordering is its slug).
        .order_by("claim_id", "proposition__slug", "pk")
        .values_list(
            "id",
            "claim_id",
            "proposition__slug",
            "proposition__text",
            "label",
            "annotator__username",
            "note",
        )
    ):
        shown[claim_id].append(
            {
                "id": stance_id,
                "url": link(request, "api:stance-detail", stance_id),
                "proposition": {
                    "url": link(request, "api:proposition-detail", slug, "slug"),
                    "slug": slug,
                    "text": text,
                },
                "label": label,
                "annotator": annotator,
                "note": note,
            }
        )
    return [
        {
            "id": row["id"],
            "url": link(request, "api:claim-detail", row["id"]),
            "source": row["source_slug"],
            "start": row["start"],
            "end": row["end"],
            "quote": row["quote"],
            "prefix": row["prefix"],
            "suffix": row["suffix"],
            "kind": row["kind"],
            "attribution": row["attribution"],
            "speaker": row["speaker_slug"],
            "actors": actors[row["id"]],
            "note": row["note"],
            "anchor_state": row["anchor_state"],
            "stances": shown[row["id"]],
            "created_by": row["created_by_name"],
            "created": row["created"],
            "modified": row["modified"],
        }
        for row in rows
    ]


def stances_page(rows: list[dict], request) -> list[dict]:
    """The API representation of a page of stance rows."""
    return [
        {
            "id": row["id"],
            "url": link(request, "api:stance-detail", row["id"]),
            "claim": row["claim_id"],
            "proposition": row["proposition_slug"],
            "label": row["label"],
            "annotator": row["annotator_name"],
            "note": row["note"],
            "created": row["created"],
            "modified": row["modified"],
        }
        for row in rows
    ]


def claims_of(claims: QuerySet[Claim], request, *, stances: QuerySet[Stance]) -> list[dict]:
    """The representation of every claim of `claims`, in its order (three queries)."""
    return claims_page(list(claim_values(claims)), request, stances=stances)


def stances_of(stances: QuerySet[Stance], request) -> list[dict]:
    """The representation of every stance of `stances`, in its order (one query)."""
    return stances_page(list(stance_values(stances)), request)
