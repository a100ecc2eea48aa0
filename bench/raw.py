"""The raw limit for each API list: the same page of rows fetched with one hand-written SQL
query through a database cursor and encoded with orjson, in the benchmark's own process.

Each function returns the encoded page, with the fields and links the API returns, so that the
ratio app/raw prices exactly what the framework adds (request handling, permission checks,
filtering, serializers, pagination, rendering). Anonymous reads: published sources only.
PostgreSQL only (json_agg, array_agg).
"""

from __future__ import annotations

import orjson
from django.db import connection

from claims import positions
from claims.api.positions import position_data

BASE = "http://127.0.0.1"
PAGE = 50
OPTIONS = orjson.OPT_UTC_Z


def _rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _encode(results: list[dict], **extra) -> bytes:
    return orjson.dumps({**extra, "results": results}, option=OPTIONS)


def publishers() -> bytes:
    rows = _rows(
        """
        SELECT p.slug, p.name, p.kind, p.homepage, p.country, p.language, p.description,
               (SELECT count(*) FROM claims_source s
                 WHERE s.publisher_id = p.id AND s.status = 'published'),
               p.created, p.modified
          FROM claims_publisher p
         WHERE EXISTS (SELECT 1 FROM claims_source s
                        WHERE s.publisher_id = p.id AND s.status = 'published')
         ORDER BY p.name LIMIT %s
        """,
        [PAGE],
    )
    keys = ("slug", "name", "kind", "homepage", "country", "language", "description")
    return _encode(
        [
            {
                "url": f"{BASE}/api/v1/publishers/{r[0]}/",
                **dict(zip(keys, r[:7], strict=True)),
                "source_count": r[7],
                "created": r[8],
                "modified": r[9],
            }
            for r in rows
        ]
    )


def authors() -> bytes:
    rows = _rows(
        """
        SELECT a.slug, a.name, a.bio, a.homepage, a.created, a.modified
          FROM claims_author a
         WHERE EXISTS (SELECT 1 FROM claims_authorship au
                         JOIN claims_source s ON s.id = au.source_id
                        WHERE au.author_id = a.id AND s.status = 'published')
         ORDER BY a.name LIMIT %s
        """,
        [PAGE],
    )
    return _encode(
        [
            {
                "url": f"{BASE}/api/v1/authors/{slug}/",
                "slug": slug,
                "name": name,
                "bio": bio,
                "homepage": homepage,
                "created": created,
                "modified": modified,
            }
            for slug, name, bio, homepage, created, modified in rows
        ]
    )


def sources() -> bytes:
    rows = _rows(
        """
        SELECT s.slug, s.title, s.title_supplied, p.slug, p.name,
               (SELECT json_agg(json_build_array(a.slug, a.name, au.role) ORDER BY au."order")
                  FROM claims_authorship au JOIN claims_author a ON a.id = au.author_id
                 WHERE au.source_id = s.id),
               s.url, s.published_on, s.language, s.translated_from, s.status, s.published_at,
               (SELECT count(*) FROM claims_claim c WHERE c.source_id = s.id),
               s.created, s.modified
          FROM claims_source s LEFT JOIN claims_publisher p ON p.id = s.publisher_id
         WHERE s.status = 'published'
         ORDER BY s.published_on DESC, s.title, s.id LIMIT %s
        """,
        [PAGE],
    )
    results = []
    for r in rows:
        results.append(
            {
                "url": f"{BASE}/api/v1/sources/{r[0]}/",
                "slug": r[0],
                "title": r[1],
                "title_supplied": r[2],
                "publisher": (
                    {"url": f"{BASE}/api/v1/publishers/{r[3]}/", "slug": r[3], "name": r[4]}
                    if r[3]
                    else None
                ),
                "authors": [
                    {
                        "url": f"{BASE}/api/v1/authors/{slug}/",
                        "slug": slug,
                        "name": name,
                        "role": role,
                    }
                    for slug, name, role in r[5] or []
                ],
                "original_url": r[6],
                "page": f"{BASE}/sources/{r[0]}/",
                "published_on": r[7],
                "language": r[8],
                "translated_from": r[9],
                "status": r[10],
                "published_at": r[11],
                "claim_count": r[12],
                "created": r[13],
                "modified": r[14],
            }
        )
    return _encode(results)


def topics() -> bytes:
    rows = _rows(
        """
        SELECT t.slug, t.name, t.description, parent.slug, t.created, t.modified
          FROM claims_topic t LEFT JOIN claims_topic parent ON parent.id = t.parent_id
         ORDER BY t.name LIMIT %s
        """,
        [PAGE],
    )
    return _encode(
        [
            {
                "url": f"{BASE}/api/v1/topics/{slug}/",
                "slug": slug,
                "name": name,
                "description": description,
                "parent": parent,
                "created": created,
                "modified": modified,
            }
            for slug, name, description, parent, created, modified in rows
        ]
    )


def actors() -> bytes:
    rows = _rows(
        # Public actors only: named as speaker or mentioned by a claim of a published source.
        "SELECT a.slug, a.name, a.kind, a.wikidata_id, a.created, a.modified FROM claims_actor a "
        "WHERE EXISTS (SELECT 1 FROM claims_claim c JOIN claims_source s ON s.id = c.source_id "
        "WHERE c.speaker_id = a.id AND s.status = 'published') "
        "OR EXISTS (SELECT 1 FROM claims_claim_actors ca JOIN claims_claim c ON c.id = ca.claim_id "
        "JOIN claims_source s ON s.id = c.source_id "
        "WHERE ca.actor_id = a.id AND s.status = 'published') "
        "ORDER BY a.name LIMIT %s",
        [PAGE],
    )
    return _encode(
        [
            {
                "url": f"{BASE}/api/v1/actors/{slug}/",
                "slug": slug,
                "name": name,
                "kind": kind,
                "wikidata_id": wikidata_id,
                "created": created,
                "modified": modified,
            }
            for slug, name, kind, wikidata_id, created, modified in rows
        ]
    )


def propositions() -> bytes:
    """With each source's position, combined from its stances as `claims.positions` does."""
    rows = _rows(
        """
        SELECT p.slug, p.text, p.notes, p.created, p.modified,
               (SELECT array_agg(t.slug ORDER BY t.name, t.id) FROM claims_proposition_topics pt
                  JOIN claims_topic t ON t.id = pt.topic_id WHERE pt.proposition_id = p.id),
               (SELECT json_agg(json_build_array(s.id, s.slug, st.claim_id, st.label,
                                                 c.attribution))
                  FROM claims_stance st JOIN claims_claim c ON c.id = st.claim_id
                  JOIN claims_source s ON s.id = c.source_id
                 WHERE st.proposition_id = p.id AND s.status = 'published')
          FROM claims_proposition p
         WHERE EXISTS (SELECT 1 FROM claims_stance st JOIN claims_claim c ON c.id = st.claim_id
                         JOIN claims_source s ON s.id = c.source_id
                        WHERE st.proposition_id = p.id AND s.status = 'published')
         ORDER BY p.slug LIMIT %s
        """,
        [PAGE],
    )
    results = []
    for slug, text, notes, created, modified, topic_slugs, stances in rows:
        slugs = {source_id: source_slug for source_id, source_slug, *_ in stances}
        held = positions.tally(
            (source_id, 0, claim, label, attribution)
            for source_id, _, claim, label, attribution in stances
        )
        by_source = {source: props[0] for source, props in held.items()}
        results.append(
            {
                "url": f"{BASE}/api/v1/propositions/{slug}/",
                "slug": slug,
                "text": text,
                "topics": topic_slugs or [],
                "notes": notes,
                "positions": sorted(
                    (
                        {"source": slugs[s], "position": p.label, **position_data(p)}
                        for s, p in by_source.items()
                    ),
                    key=lambda item: item["source"],
                ),
                "divergence": round(
                    positions.divergence(p.label for p in by_source.values() if p.label), 4
                ),
                "created": created,
                "modified": modified,
            }
        )
    return _encode(results)


def claims() -> bytes:
    rows = _rows(
        """
        SELECT c.id, s.slug, c.start, c."end", c.quote, c.prefix, c.suffix, c.kind, c.attribution,
               sp.slug,
               (SELECT array_agg(a.slug ORDER BY a.name, a.id) FROM claims_claim_actors ca
                  JOIN claims_actor a ON a.id = ca.actor_id WHERE ca.claim_id = c.id),
               c.note, c.anchor_state,
               (SELECT json_agg(json_build_array(st.id, p.slug, p.text, st.label, u.username,
                                                 st.note) ORDER BY p.slug, st.id)
                  FROM claims_stance st JOIN claims_proposition p ON p.id = st.proposition_id
                  JOIN auth_user u ON u.id = st.annotator_id WHERE st.claim_id = c.id),
               cb.username, c.created, c.modified
          FROM claims_claim c JOIN claims_source s ON s.id = c.source_id
          LEFT JOIN claims_actor sp ON sp.id = c.speaker_id
          LEFT JOIN auth_user cb ON cb.id = c.created_by_id
         WHERE s.status = 'published'
         ORDER BY c.id DESC LIMIT %s
        """,
        [PAGE],
    )
    results = []
    for r in rows:
        results.append(
            {
                "id": r[0],
                "url": f"{BASE}/api/v1/claims/{r[0]}/",
                "source": r[1],
                "start": r[2],
                "end": r[3],
                "quote": r[4],
                "prefix": r[5],
                "suffix": r[6],
                "kind": r[7],
                "attribution": r[8],
                "speaker": r[9],
                "actors": r[10] or [],
                "note": r[11],
                "anchor_state": r[12],
                "stances": [
                    {
                        "id": stance_id,
                        "url": f"{BASE}/api/v1/stances/{stance_id}/",
                        "proposition": {
                            "url": f"{BASE}/api/v1/propositions/{slug}/",
                            "slug": slug,
                            "text": text,
                        },
                        "label": label,
                        "annotator": annotator,
                        "note": note,
                    }
                    for stance_id, slug, text, label, annotator, note in r[13] or []
                ],
                "created_by": r[14],
                "created": r[15],
                "modified": r[16],
            }
        )
    return _encode(results, next=f"{BASE}/api/v1/claims/?cursor=…", previous=None)


def stances() -> bytes:
    rows = _rows(
        """
        SELECT st.id, st.claim_id, p.slug, st.label, u.username, st.note, st.created,
               st.modified
          FROM claims_stance st JOIN claims_claim c ON c.id = st.claim_id
          JOIN claims_source s ON s.id = c.source_id
          JOIN claims_proposition p ON p.id = st.proposition_id
          JOIN auth_user u ON u.id = st.annotator_id
         WHERE s.status = 'published'
         ORDER BY st.id DESC LIMIT %s
        """,
        [PAGE],
    )
    return _encode(
        [
            {
                "id": r[0],
                "url": f"{BASE}/api/v1/stances/{r[0]}/",
                "claim": r[1],
                "proposition": r[2],
                "label": r[3],
                "annotator": r[4],
                "note": r[5],
                "created": r[6],
                "modified": r[7],
            }
            for r in rows
        ],
        next=f"{BASE}/api/v1/stances/?cursor=…",
        previous=None,
    )


LISTS = {
    "publishers": publishers,
    "authors": authors,
    "sources": sources,
    "topics": topics,
    "actors": actors,
    "propositions": propositions,
    "claims": claims,
    "stances": stances,
}
