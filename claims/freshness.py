"""Which cached public answers a publication makes stale.

Every cached page and API answer is keyed by its `Version`, read in one query:

- the public version (`PublicVersion`), which database triggers move for every edit of public
  material except a publication or a withdrawal (vocabulary rewording, a published source
  edited in place...): those may show anywhere, so everything cached goes;
- the stamps of the answer's tags (`AnswerVersion`): "source:<slug>", "proposition:<slug>",
  "topic:<slug>", "publisher:<slug>", "author:<slug>" and "overview" (the home page, the
  source index, search and the API's lists). Publishing a source, or withdrawing one
  (unpublishing it, deleting it while published), gives new stamps to the tags of what it
  changes (`publication_tags`), in the same transaction, so a reader sees new stamps exactly
  when the change becomes visible.

A version has two parts. `kept` holds the public version and the tags' withdrawal stamps: an
answer from before a change of it is never served again, because it may show words that are no
longer public. `added` holds the tags' publication stamps: a publication only adds to what an
answer shows, so the answer from before it may still be served while it is rebuilt, and for at
most `PUBLIC_PAGE_SETTLE_SECONDS` after it was last rendered (claims.pagecache.single_flight).
That bounds how often one answer is rebuilt while publications follow each other, and how late
a publication may show: never later than that many seconds.

So a publication leaves the pages about unrelated topics, propositions and sources, and their
ETags, as they were. Corpus-wide totals that such a page prints beside its own subject (how
many published sources there are in all) are as of its last render: they catch up when the page
is next rebuilt (at the latest after `PUBLIC_PAGE_CACHE_SECONDS`).

A draft edit moves neither: it changes nothing public.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection, connections, router

from claims.models import AnswerVersion, Proposition, Source, Stance

OVERVIEW = "overview"
# Set by `scope_publication` (PostgreSQL): the trigger of migration 0022 reads it.
SCOPED_SETTING = "claims.scoped_sources"


def tag(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


TOPICS_OF = "topics-of:"


class Version(NamedTuple):
    """An answer's version: `kept` moves when something it may show is no longer public (or
    public material is edited in place), `added` when a publication adds to it."""

    kept: str
    added: str

    def __str__(self) -> str:
        return f"{self.kept}.{self.added}" if self.added else self.kept


def _digest(stamps: dict[str, int]) -> str:
    text = ";".join(f"{name}={stamp}" for name, stamp in sorted(stamps.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def answer_version(tags: Iterable[str]) -> Version | None:
    """The version of an answer showing `tags`, in one query; None when the public version row
    is missing (after a flush or a restore: nothing is cached then).

    A tag "topics-of:<proposition slug>" stands for the tags of the topics the proposition is
    filed under, looked up in the same query.
    """
    names = sorted({name for name in tags if not name.startswith(TOPICS_OF)})
    filed = sorted({name[len(TOPICS_OF) :] for name in tags if name.startswith(TOPICS_OF)})
    sql = [
        "SELECT 'public', counter, stamp FROM claims_publicversion WHERE id = 1",
    ]
    params: list[str] = []
    wanted = []
    if names:
        wanted.append(f"tag IN ({', '.join(['%s'] * len(names))})")
        params.extend(names)
    if filed:
        wanted.append(
            "tag IN (SELECT 'topic:' || t.slug FROM claims_topic t "
            "JOIN claims_proposition_topics pt ON pt.topic_id = t.id "
            "JOIN claims_proposition p ON p.id = pt.proposition_id "
            f"WHERE p.slug IN ({', '.join(['%s'] * len(filed))}))"
        )
        params.extend(filed)
    if wanted:
        sql.append(
            "SELECT tag, withdrawn, stamp FROM claims_answerversion WHERE " + " OR ".join(wanted)
        )
    # A read like any other: from a replica where the request may read from one.
    with connections[router.db_for_read(AnswerVersion)].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        found = {name: (first, second) for name, first, second in cursor.fetchall()}
    public = found.pop("public", None)
    if public is None:
        return None
    kept = f"{public[0]}.{public[1]}"
    if not found:
        return Version(kept, "")
    withdrawn = {name: stamps[0] for name, stamps in found.items() if stamps[0]}
    if withdrawn:
        kept = f"{kept}.{_digest(withdrawn)}"
    return Version(kept, _digest({name: stamps[1] for name, stamps in found.items()}))


def bump(tags: Iterable[str], *, withdrawal: bool = False) -> None:
    """New stamps for `tags` (their withdrawal stamps for a withdrawal, their publication
    stamps otherwise), in sorted order (so that two publications lock the rows in the same
    order) and in one statement."""
    field = "withdrawn" if withdrawal else "stamp"
    rows = [AnswerVersion(tag=name, **{field: secrets.randbits(62)}) for name in sorted(set(tags))]
    if rows:
        AnswerVersion.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["tag"], update_fields=[field]
        )


def publication_tags(source: Source) -> set[str]:
    """The tags of every answer that publishing (or unpublishing) `source` changes: its own
    pages, its outlet's and authors', the propositions it takes a stance on, the topics those
    are filed under (and the topics above them, whose pages include them), the other published
    sources on those propositions (their reading views list the sources they share
    propositions with) and the overview."""
    from claims.selectors import topic_tree

    tags = {OVERVIEW, tag("source", source.slug)}
    if source.publisher_id is not None:
        tags.add(tag("publisher", source.publisher.slug))
    tags.update(
        tag("author", slug) for slug in source.authorships.values_list("author__slug", flat=True)
    )
    propositions = list(
        Proposition.objects.filter(stances__claim__source=source)
        .distinct()
        .values_list("pk", "slug")
        .order_by()
    )
    tags.update(tag("proposition", slug) for _, slug in propositions)
    ids = [pk for pk, _ in propositions]
    tree = topic_tree()
    filed = Proposition.topics.through.objects.filter(proposition_id__in=ids).values_list(
        "topic_id", flat=True
    )
    for topic_id in set(filed):
        tags.add(tag("topic", tree.topics[topic_id].slug))
        tags.update(tag("topic", above.slug) for above in tree.ancestors(topic_id))
    sharing = (
        Stance.objects.published()
        .filter(proposition__in=ids)
        .exclude(claim__source=source)
        .values_list("claim__source__slug", flat=True)
        .order_by()
        .distinct()
    )
    tags.update(tag("source", slug) for slug in sharing)
    return tags


def scope_publication(source: Source) -> None:
    """Within the publishing transaction: the status change of `source` leaves the public
    version alone (its answers' stamps are bumped instead). Undone by `end_publication`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT current_setting('{SCOPED_SETTING}', true)")
            listed = cursor.fetchone()[0] or ","
            cursor.execute(
                "SELECT set_config(%s, %s, true)", [SCOPED_SETTING, f"{listed}{source.pk},"]
            )
    else:
        AnswerVersion.objects.update_or_create(tag=f"publishing:{source.pk}")


def end_publication(source: Source) -> None:
    """Close what `scope_publication` opened. PostgreSQL keeps the setting to the end of the
    transaction: its trigger runs at commit and must still find the source listed."""
    if connection.vendor != "postgresql":
        AnswerVersion.objects.filter(tag=f"publishing:{source.pk}").delete()
