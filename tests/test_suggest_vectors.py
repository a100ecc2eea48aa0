"""Proposition vectors in the database (PropositionVector): computed once per proposition and
wording, the wording and the notes embedded apart, read by every index instead of embedding
again, recomputed when the wording or the notes change."""

import hashlib
import importlib
import socket

import numpy as np
import pytest
from django.apps import apps
from django.core.management import call_command

from claims.models import Proposition, PropositionVector
from claims.suggesting import embedding, propositions
from claims.suggesting.embedding import MODEL_NAME
from claims.suggesting.propositions import PropositionIndex, embed_missing, text_hash
from claims.suggesting.ranking import document_parts

from .factories import PropositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded(monkeypatch):
    """The texts embedded for propositions, in calls (the real model still runs)."""
    calls: list[list[str]] = []
    real = propositions.embed

    def counting(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(propositions, "embed", counting)
    return calls


def synced() -> PropositionIndex:
    index = PropositionIndex()
    index.sync()
    return index


def test_the_seed_vectors_are_stored_and_a_fresh_index_embeds_none(embedded):
    stored = PropositionVector.objects.count()
    assert stored == Proposition.objects.count() >= 10
    index = synced()
    assert embedded == []
    assert len(index.ranker.vectors) == stored
    row = PropositionVector.objects.select_related("proposition").exclude(proposition__notes="")[0]
    p = row.proposition
    assert row.model == MODEL_NAME and row.text_hash == text_hash((p.text, p.notes))
    # The wording and the notes, each embedded on its own.
    for data, text in ((row.vector, p.text), (row.notes_vector, p.notes)):
        vector = np.frombuffer(bytes(data), dtype="<f4")
        assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 1e-5
        assert np.allclose(vector, embedding.embed([text])[0], atol=1e-5)
    assert np.allclose(index.ranker.vectors.matrix[index.ranker.vectors.rows[p.pk]][1], vector)


def test_a_new_proposition_costs_one_embedding_and_is_stored(embedded):
    index = synced()
    proposition = PropositionFactory(text="Pelicans migrate across the Caspian every winter.")
    index.sync()
    assert embedded == [[proposition.text]]
    row = PropositionVector.objects.get(proposition=proposition)
    assert row.text_hash == text_hash((proposition.text,)) and row.notes_vector is None
    # Another process starting now reads it instead of embedding it again.
    embedded.clear()
    assert len(synced().ranker.vectors) == Proposition.objects.count()
    assert embedded == []


def test_rewording_recomputes_the_vector_and_other_edits_do_not(embedded):
    proposition = PropositionFactory(text="Pelicans migrate across the Caspian every winter.")
    index = synced()
    before = bytes(PropositionVector.objects.get(proposition=proposition).vector)
    embedded.clear()

    proposition.slug = "pelicans-again"  # saved, `modified` moves, the wording does not
    proposition.save()
    index.sync()
    assert embedded == []

    proposition.text = "Flamingos nest on the shores of Lake Urmia."
    proposition.save()
    index.sync()
    assert embedded == [[proposition.text]]
    row = PropositionVector.objects.get(proposition=proposition)
    assert row.text_hash == text_hash((proposition.text,)) and bytes(row.vector) != before
    assert index.ranked("flamingo colonies by an Iranian salt lake", 1)[0][0] == proposition.pk

    # The notes are embedded too, apart from the wording.
    embedded.clear()
    proposition.notes = "Counts: breeding colonies."
    proposition.save()
    index.sync()
    assert embedded == [[proposition.text, proposition.notes]]
    row = PropositionVector.objects.get(proposition=proposition)
    assert row.text_hash == text_hash(document_parts(proposition.text, proposition.notes))
    assert row.notes_vector is not None
    assert index.ranked("where do flamingos breed", 1)[0][0] == proposition.pk

    # Notes taken out: the wording's vector alone again.
    embedded.clear()
    proposition.notes = ""
    proposition.save()
    index.sync()
    assert embedded == [[proposition.text]]
    assert PropositionVector.objects.get(proposition=proposition).notes_vector is None
    stored = index.ranker.vectors.matrix[index.ranker.vectors.rows[proposition.pk]]
    assert not stored[1].any()


def test_a_vector_of_wording_and_notes_together_is_recomputed_and_the_migration_drops_it(
    embedded,
):
    """Before the notes were embedded apart, a proposition with notes had one vector for its
    wording and notes joined by a line break. Its hash no longer matches, and migration 0026
    deletes such rows (those of propositions without notes stay: they meant the same)."""
    with_notes = PropositionFactory(
        text="Storks cross the Bosphorus in spring.", notes="Counts: migration counts."
    )
    without = PropositionFactory(text="Cranes winter in the Ethiopian highlands.")
    embed_missing()
    joined = f"{with_notes.text}\n{with_notes.notes}"
    PropositionVector.objects.filter(proposition=with_notes).update(
        text_hash=hashlib.sha256(joined.encode()).hexdigest(),
        vector=embedding.embed([joined])[0].astype("<f4").tobytes(),
        notes_vector=None,
    )
    embedded.clear()
    synced()
    assert embedded == [[with_notes.text, with_notes.notes]]

    migration = importlib.import_module("claims.migrations.0026_proposition_notes_vectors")
    migration.drop_joint_vectors(apps, None)
    assert not PropositionVector.objects.filter(proposition=with_notes).exists()
    assert PropositionVector.objects.filter(proposition=without).exists()
    assert not PropositionVector.objects.exclude(proposition__notes="").exists()


def test_a_vector_from_another_model_or_wording_is_recomputed(embedded):
    proposition = PropositionFactory(text="Storks cross the Bosphorus in spring.")
    other = PropositionFactory(text="Cranes winter in the Ethiopian highlands.")
    embed_missing()
    PropositionVector.objects.filter(proposition=proposition).update(model="another/model")
    PropositionVector.objects.filter(proposition=other).update(text_hash="0" * 64)
    embedded.clear()
    synced()
    assert sorted(embedded[0]) == sorted([proposition.text, other.text])
    assert set(
        PropositionVector.objects.filter(proposition__in=[proposition, other]).values_list(
            "model", flat=True
        )
    ) == {MODEL_NAME}


def test_a_request_embeds_a_bounded_number_the_rest_later(embedded, monkeypatch):
    monkeypatch.setattr(propositions, "EMBED_PER_REQUEST", 2)
    created = PropositionFactory.create_batch(5, text="Herons fish in the Kura delta.")
    index = PropositionIndex()
    index.sync(embed_limit=propositions.EMBED_PER_REQUEST)
    assert sum(len(call) for call in embedded) == 2
    # Not yet embedded: still ranked by words and characters.
    assert {pk for pk, _ in index.ranked("herons in the Kura delta", 5)} == {p.pk for p in created}
    index.sync(embed_limit=None)  # as the background sync of a starting worker does
    assert sum(len(call) for call in embedded) == 5
    assert all(p.pk in index.ranker.vectors for p in created)


def test_the_command_embeds_what_is_missing(embedded, capsys):
    PropositionFactory.create_batch(3, text="Flamingos nest on the shores of Lake Urmia.")
    call_command("embed_propositions")
    assert "3 proposition(s) embedded" in capsys.readouterr().out
    call_command("embed_propositions")
    assert "0 proposition(s) embedded" in capsys.readouterr().out
    assert sum(len(call) for call in embedded) == 3


def test_deleting_a_proposition_deletes_its_vector():
    proposition = PropositionFactory(text="Storks cross the Bosphorus in spring.")
    embed_missing()
    proposition.delete()
    assert not PropositionVector.objects.filter(proposition_id=proposition.pk).exists()


def test_the_model_loads_and_embeds_with_networking_disabled(monkeypatch):
    from django.db import connection

    connection.ensure_connection()

    def refuse(*args, **kwargs):
        raise OSError("networking is disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(embedding, "_encoder", None)  # loaded afresh, offline
    proposition = PropositionFactory(text="Pelicans migrate across the Caspian every winter.")
    index = synced()
    assert PropositionVector.objects.filter(proposition=proposition).exists()
    # A wording sharing no word with the proposition it restates: found by its meaning.
    wanted = Proposition.objects.get(slug="iran-arms-russia").pk
    query = "Tehran ships unmanned aircraft to Moscow"
    assert index.ranker.search(query, 1, mode="embedding")[0].doc == wanted
    assert len(index.ranked(query, 3)) == 3


def test_without_the_model_suggestions_fall_back_to_words(monkeypatch, caplog):
    monkeypatch.setattr(embedding, "_encoder", None)
    monkeypatch.setattr(embedding, "MODEL_PACKAGE", "no_such_model_package")
    proposition = PropositionFactory(text="Pelicans migrate across the Caspian every winter.")
    index = synced()
    assert index.ranked("pelicans migrating over the Caspian", 1)[0][0] == proposition.pk
    assert "without embeddings" in caplog.text


def test_one_worker_at_a_time_embeds_in_the_background(embedded, monkeypatch):
    """A starting worker indexes the stored vectors; it embeds the missing ones only when it
    holds the embedding turn, and gives the turn back when done."""
    from django.core.cache import cache

    PropositionVector.objects.filter(proposition__in=Proposition.objects.all()[:3]).delete()
    missing = set(Proposition.objects.exclude(vector__isnull=False).values_list("pk", flat=True))
    assert len(missing) == 3

    monkeypatch.setattr(propositions, "_index", PropositionIndex())
    cache.add(propositions.EMBEDDING_TURN, True, 60)  # another worker is embedding
    propositions.warm_index()
    assert embedded == [] and propositions.proposition_index().unembedded == 3
    assert not PropositionVector.objects.filter(proposition__in=missing).exists()

    cache.delete(propositions.EMBEDDING_TURN)
    monkeypatch.setattr(propositions, "_index", PropositionIndex())
    propositions.warm_index()
    assert len(embedded) == 1 and len(embedded[0]) >= 3  # the three, wording (and notes)
    assert propositions.proposition_index().unembedded == 0
    assert PropositionVector.objects.filter(proposition__in=missing).count() == 3
    assert cache.add(propositions.EMBEDDING_TURN, True, 60)  # the turn was given back
    cache.delete(propositions.EMBEDDING_TURN)
