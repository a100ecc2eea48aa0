"""The rankers behind proposition suggestions: pure Python, updated in place, offline."""

import socket

import pytest

from claims.suggesting.ranking import Bm25, Ranker, similarity
from claims.suggesting.text import char_ngram_counts, fold, stem, word_counts, words

PROPOSITIONS = {
    1: "Russia supports Azerbaijan's plan for a Zangezur corridor.",
    2: "Iran supplies drones and ballistic missiles to Russia.",
    3: "Sanctions push Russia and Iran to trade in their own currencies.",
    4: "Türkiye expands its influence in the South Caucasus.",
}


def ranker(docs=PROPOSITIONS) -> Ranker:
    r = Ranker()
    r.add_many(docs.items())
    return r


def test_words_are_folded_stemmed_and_stripped_of_function_words():
    assert fold("Türkiye's ÉLAN") == "turkiye's elan"
    assert stem("sanctions") == stem("sanctioned") == stem("sanctioning") == "sanction"
    assert stem("supplies") == stem("supplied") == "supply"
    assert words("The drones were supplied to Russia") == ["drone", "supply", "russia"]
    # Links and handles are noise; run-together hashtags are split into words.
    assert words("#AustralianFires https://t.co/x @someone") == ["australian", "fire"]


def test_character_ngrams_mark_word_edges():
    grams = char_ngram_counts("Iran")
    assert grams[" ira"] == 1 and grams["ran "] == 1
    assert word_counts("not a word: the") == {"not": 1, "word": 1}  # "a" and "the" go


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Tehran has transferred drones and missiles to Moscow", 2),
        ("Moscow backs Baku's claims on the Zangezur corridor", 1),
        ("trade in national currencies to get around sanctions", 3),
        ("Turkey's growing influence in the Caucasus", 4),
    ],
)
def test_the_right_document_comes_first_fused_and_plain(query, expected):
    r = ranker()
    assert r.search(query, 1)[0].doc == expected
    assert r.search(query, 1, fused=False)[0].doc == expected


def test_character_ngrams_find_what_words_miss():
    # "Turkiye" and "Türkiye" fold together; "Caucasian" shares n-grams, not a word stem.
    r = ranker()
    assert r.words.top("Caucasian", 5) == []
    assert r.search("Caucasian", 1)[0].doc == 4


def test_adding_rewording_and_removing_update_the_index_in_place():
    r = ranker()
    r.add(5, "Armenia turns to the West for security guarantees.")
    assert r.search("Armenia seeks Western security", 1)[0].doc == 5
    r.add(2, "Russia delivers fighter jets to Iran.")  # reworded
    assert r.search("fighter jets", 1)[0].doc == 2
    assert r.search("ballistic missiles drones", 5, fused=False) == []
    r.remove(5)
    assert 5 not in r and all(hit.doc != 5 for hit in r.search("Armenia West security", 5))
    assert len(r) == 4
    assert "armenia" not in r.words.postings  # no empty posting lists left behind


def test_bm25_scores_match_the_formula():
    index = Bm25(word_counts)
    index.add("a", "corridor corridor")
    index.add("b", "corridor tunnel")
    # n=2, df=2: idf = ln(1 + 0.5/2.5); equal lengths (avg 2): score = idf * tf * 2.2 / (tf + 1.2)
    import math

    idf = math.log(1 + 0.5 / 2.5)
    scores = index.scores("corridor")
    assert scores["a"] == pytest.approx(idf * 2 * 2.2 / (2 + 1.2))
    assert scores["b"] == pytest.approx(idf * 1 * 2.2 / (1 + 1.2))


def test_similarity_is_absolute_and_symmetric():
    a = "Russia supports the Zangezur corridor."
    assert similarity(a, a) == pytest.approx(1.0)
    assert similarity(a, "Russia backs the Zangezur corridor") > 0.6
    assert similarity(a, "Iran sells drones") < 0.2
    assert similarity(a, "") == 0.0


def test_ranking_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("networking is disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    r = ranker()
    assert r.search("drones for Russia", 1)[0].doc == 2


def test_sentences_keep_their_offsets_in_the_text():
    from claims.suggesting.sentences import likely_sentences, split_sentences

    body = "Moscow backs it. “Tehran objects!” he said.\n\nPelicans winter on the Caspian.  "
    sentences = split_sentences(body)
    assert [s.text for s in sentences] == [
        "Moscow backs it.",
        "“Tehran objects!”",
        "he said.",
        "Pelicans winter on the Caspian.",
    ]
    assert all(body[s.start : s.end] == s.text for s in sentences)
    ranked = likely_sentences(body, "Where do pelicans spend the winter?", k=3)
    assert [r.sentence.text for r in ranked] == ["Pelicans winter on the Caspian."]
    assert likely_sentences(body, "nuclear submarines", k=3) == []
