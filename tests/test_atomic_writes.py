"""A write interrupted half-way leaves nothing half-done: API writes, admin batch actions and
history reverts each run in one transaction."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from claims.api.serializers import PropositionSerializer
from claims.models import Proposition, Source
from claims.publishing import publish_source

from .api_helpers import client_for
from .factories import SourceFactory

pytestmark = pytest.mark.django_db

FAILURE = OperationalError("server closed the connection unexpectedly")


def test_an_api_write_that_fails_half_way_changes_nothing(reviewer):
    # Rewording a proposition published stances use is a reviewer's act.
    proposition = Proposition.objects.get(slug="russia-backs-zangezur-corridor")
    before = (proposition.text, sorted(proposition.topics.values_list("slug", flat=True)))
    url = reverse("api:proposition-detail", args=[proposition.slug])
    client = client_for(reviewer)
    etag = client.get(url)["ETag"]

    # The row is saved, then writing its topics fails: the row's change must be undone too.
    def half_way(self, instance, validated_data):
        instance.text = validated_data["text"]
        instance.save()
        raise FAILURE

    with mock.patch.object(PropositionSerializer, "update", half_way):
        response = client.patch(
            url, {"text": "Changed.", "topics": ["sudan"]}, format="json", HTTP_IF_MATCH=etag
        )
    assert response.status_code == 503
    proposition.refresh_from_db()
    after = (proposition.text, sorted(proposition.topics.values_list("slug", flat=True)))
    assert after == before
    assert proposition.history.filter(text="Changed.").count() == 0


def test_a_publish_batch_that_fails_half_way_publishes_none(client, reviewer):
    drafts = [SourceFactory(), SourceFactory()]
    calls = []

    def flaky(*, source, by=None):
        calls.append(source.pk)
        if len(calls) == 2:
            raise FAILURE
        return publish_source(source=source, by=by)

    client.force_login(reviewer)
    with mock.patch("claims.admin.sources.publish_source", side_effect=flaky):
        response = client.post(
            reverse("admin:claims_source_changelist"),
            {"action": "publish_action", "_selected_action": [s.pk for s in drafts]},
        )
    assert response.status_code == 503
    statuses = set(Source.objects.filter(pk__in=[s.pk for s in drafts]).values_list("status"))
    assert statuses == {("draft",)}
