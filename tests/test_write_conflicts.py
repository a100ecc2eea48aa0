"""A write the database stops because of a concurrent one is retried, and if it still fails is
answered for what it is (409 write_conflict, or 503 database_busy on SQLite), never as the
database being unreachable. Draft edits leave the public version, and so every public ETag and
cached page, alone."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from claims import freshness
from claims.api.serializers import ClaimSerializer
from claims.concurrency import conflict_kind, retry_on_conflict
from claims.models import Claim, Stance
from claims.pagecache import current_version
from claims.publishing import publish_source
from claims.revisions import start_revision

from .api_helpers import client_for
from .factories import ClaimFactory, PropositionFactory, SourceFactory, reviewer_user

pytestmark = pytest.mark.django_db


class FakeDeadlock(Exception):
    sqlstate = "40P01"


def deadlock() -> OperationalError:
    """What Django raises when PostgreSQL picks this transaction as a deadlock's victim."""
    error = OperationalError("deadlock detected")
    error.__cause__ = FakeDeadlock("deadlock detected")
    return error


def test_conflicts_are_recognised_by_their_sqlstate():
    assert conflict_kind(deadlock()) == "deadlock"
    assert conflict_kind(OperationalError("server closed the connection")) is None


def test_a_deadlocked_write_is_run_again(monkeypatch):
    monkeypatch.setattr("claims.concurrency.connections", _outside_transaction())
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        if len(calls) < 3:
            raise deadlock()
        return "saved"

    with mock.patch("claims.concurrency.transaction.atomic"):
        assert write() == "saved"
    assert len(calls) == 3


def test_retries_are_bounded(monkeypatch):
    monkeypatch.setattr("claims.concurrency.connections", _outside_transaction())
    calls = []

    @retry_on_conflict
    def write():
        calls.append(1)
        raise deadlock()

    with mock.patch("claims.concurrency.transaction.atomic"), pytest.raises(OperationalError):
        write()
    assert len(calls) == 3


def _outside_transaction():
    fake = mock.MagicMock()
    fake.__getitem__.return_value.in_atomic_block = False
    return fake


def test_a_write_still_stopped_by_a_deadlock_answers_409(editor):
    claim = ClaimFactory(span=(0, 6))
    client = client_for(editor)
    url = reverse("api:claim-detail", args=[claim.pk])
    etag = client.get(url)["ETag"]
    with mock.patch.object(ClaimSerializer, "update", side_effect=deadlock()):
        response = client.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "write_conflict"
    assert "deadlock" in error["message"] and "Nothing was saved" in error["message"]
    assert response["Retry-After"] == "1"


def test_sqlite_busy_answers_503_busy_not_unreachable(editor):
    busy = OperationalError("database is locked")
    with mock.patch("claims.api.views.ClaimViewSet.create", side_effect=busy):
        response = client_for(editor).post(reverse("api:claim-list"), {}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_busy"


def test_a_page_stopped_by_a_deadlock_says_so(client, editor):
    client.force_login(editor)
    claim = ClaimFactory(span=(0, 6))
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    with mock.patch("claims.annotating.lock_row", side_effect=deadlock()):
        response = client.post(url, {"note": "x", "seen_version": claim.version})
    assert response.status_code == 409
    assert "Saved at the same time" in response.content.decode()


# --- drafts and the public version ---------------------------------------------------------


def _version() -> str | None:
    return current_version()


def test_draft_edits_leave_the_public_version_alone(editor):
    draft = SourceFactory()
    proposition = PropositionFactory()
    before = _version()
    claim = ClaimFactory(source=draft, span=(0, 6))
    claim.note = "changed"
    claim.save()
    stance = Stance.objects.create(
        claim=claim, proposition=proposition, label="supports", annotator=editor
    )
    stance.label = "contradicts"
    stance.save()
    draft.title = "Retitled draft"
    draft.save()
    claim.delete()
    assert _version() == before


def test_published_edits_move_the_public_version():
    source = SourceFactory()
    before = _version()
    answers = freshness.answer_version([freshness.tag("source", source.slug)])
    publish_source(source=source, by=reviewer_user())
    published = _version()
    # A publication moves the stamps of its own answers, not the one public version.
    assert published == before
    assert freshness.answer_version([freshness.tag("source", source.slug)]) != answers
    # A published revision changes through its working copy, and only when that is published.
    copy = start_revision(source=source, by=None)
    ClaimFactory(source=copy, span=(0, 6))
    assert _version() == published
    publish_source(source=copy, by=reviewer_user())
    assert _version() != published
    after_claim = _version()
    claim = Claim.objects.get(source=source, start=0, end=6)
    Claim.objects.filter(pk=claim.pk).update(note="changed")
    assert _version() != after_claim
