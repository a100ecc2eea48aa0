"""The rankers behind proposition suggestions: pure Python, updated in place, offline."""

import numpy as np
import pytest

from claims.suggesting import embedding, ranking
from claims.suggesting.ranking import Bm25, Candidates, Ranker, Vectors, fuse, similarity
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


def test_ranking_needs_no_network(monkeypatch, no_network):
    monkeypatch.setattr(embedding, "_encoder", None)  # the model is loaded here, offline
    r = ranker()
    assert len(r.vectors) == len(PROPOSITIONS)
    assert r.search("drones for Russia", 1)[0].doc == 2
    assert r.search("Tehran ships unmanned aircraft to Moscow", 1)[0].doc == 2


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


# --- embeddings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # No word and no content-word n-gram shared with the proposition it restates.
        ("Tehran ships unmanned aircraft to Moscow", 2),
        ("Restrictive measures lead both governments to settle payments in rubles and rials", 3),
    ],
)
def test_a_paraphrase_without_shared_words_is_found_by_the_embeddings(query, expected):
    r = ranker()
    assert r.words.top(query, 5) == []
    assert r.search(query, 1, mode="lexical")[0].doc != expected  # BM25 alone misses it
    assert r.search(query, 1, mode="embedding")[0].doc == expected
    assert r.search(query, 1)[0].doc == expected  # the fused ranker the app uses


def test_a_query_sharing_nothing_is_still_ranked_by_meaning():
    r = ranker()
    query = "Ankara grows more powerful between the Black Sea and the Caspian"
    assert r.search(query, 1, mode="lexical") == []
    assert r.search(query, 1)[0].doc == 4


def test_fusion_weights_combine_the_three_rankers():
    lists = Candidates(
        words=[("a", 4.0), ("b", 2.0)], chars=[("b", 10.0)], embedding=[("c", 0.8), ("a", 0.4)]
    )
    hits = fuse(lists, 3, char_weight=0.5, embed_weight=0.5)
    scores = {hit.doc: hit.score for hit in hits}
    assert scores == {"a": 0.25 + 0.25, "b": 0.125 + 0.25, "c": 0.5}
    assert [h.doc for h in fuse(lists, 3, char_weight=0.5, embed_weight=0.0)] == ["b", "a"]


def test_vectors_reuse_rows_and_grow():
    index = Vectors(dimensions=3)
    for n in range(70):
        index.add(n, np.array([1.0, 0.0, 0.0], dtype=np.float32) * (n + 1) / 70)
    assert len(index) == 70 and index.matrix.shape[0] == 128
    index.remove(69)
    index.add("new", np.array([0.0, 1.0, 0.0], dtype=np.float32))
    assert index.rows["new"] == 69 and index.matrix.shape[0] == 128  # the freed row
    assert index.top(np.array([0.0, 1.0, 0.0], dtype=np.float32), 1) == [("new", 1.0)]
    assert [doc for doc, _ in index.top(np.array([1.0, 0.0, 0.0], dtype=np.float32), 2)] == [68, 67]
    index.remove("new")
    assert "new" not in index and all(doc != "new" for doc, _ in index.top(np.ones(3), 100))


def test_a_document_scores_by_its_closest_part():
    index = Vectors(dimensions=3, parts=2)
    index.add("both", np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32))
    index.add("main", np.array([0.6, 0.8, 0.0], dtype=np.float32))  # one part: the main text
    assert index.top(np.array([1.0, 0.0, 0.0], dtype=np.float32), 2) == [
        ("both", 1.0),
        ("main", pytest.approx(0.6)),
    ]
    assert index.top(np.array([0.0, 1.0, 0.0], dtype=np.float32), 2)[0] == ("both", 1.0)
    # Re-adding with one part clears the other.
    index.add("both", np.array([0.0, 0.0, 1.0], dtype=np.float32))
    assert index.top(np.array([0.0, 1.0, 0.0], dtype=np.float32), 1)[0][0] == "main"
    with pytest.raises(ValueError, match="at most 2 parts"):
        index.add("three", np.eye(3, dtype=np.float32))


def test_the_secondary_text_is_counted_with_the_main_one_and_embedded_apart(monkeypatch):
    embedded: list[list[str]] = []
    real = ranking._embed

    def counting(texts):
        embedded.append(list(texts))
        return real(texts)

    monkeypatch.setattr(ranking, "_embed", counting)
    r = Ranker()
    r.add_many(
        [
            (1, PROPOSITIONS[1], "Counts: Moscow endorses the route across Syunik."),
            (2, PROPOSITIONS[2]),
        ]
    )
    assert embedded == [
        [PROPOSITIONS[1], "Counts: Moscow endorses the route across Syunik.", PROPOSITIONS[2]]
    ]
    assert r.vectors.matrix[r.vectors.rows[1]][1].any()
    assert not r.vectors.matrix[r.vectors.rows[2]][1].any()
    # Words of the secondary text are indexed: a query naming only them finds the document.
    assert r.words.top("Syunik", 1)[0][0] == 1
    assert r.search("a route through Syunik", 1)[0].doc == 1
    # Re-adding without a secondary text drops it from both.
    embedded.clear()
    r.add(1, PROPOSITIONS[1])
    assert embedded == [[PROPOSITIONS[1]]] and r.words.top("Syunik", 1) == []
    assert not r.vectors.matrix[r.vectors.rows[1]][1].any()


def test_long_notes_do_not_drown_the_wording_in_the_embeddings():
    """The wording keeps its own vector: however long the notes, a document's cosine is at
    least its wording's alone (one vector for both would be mostly the notes')."""
    notes = (
        "Supports: the source reports deliveries, contracts or factories for such weapons, or "
        "officials who confirm them. Contradicts: it reports that deliveries stopped or never "
        "took place, or that the trade goes the other way. Mixed: it reports some of it."
    )
    query = "Tehran ships unmanned aircraft to Moscow"
    alone, with_notes = Ranker(), Ranker()
    alone.add_many(PROPOSITIONS.items())
    with_notes.add_many([(n, text, notes) for n, text in PROPOSITIONS.items()])
    cosines = {
        name: dict(r.candidates(query, "embedding").embedding)
        for name, r in (("alone", alone), ("with notes", with_notes))
    }
    for doc in PROPOSITIONS:
        assert cosines["with notes"][doc] >= cosines["alone"][doc] - 1e-6
    assert with_notes.search(query, 1, mode="embedding")[0].doc == 2
    assert with_notes.search(query, 1)[0].doc == 2


def test_rewording_replaces_the_vector_and_removing_forgets_it():
    r = ranker()
    r.add(2, "Armenia turns to the West for security guarantees.")
    assert r.search("Tehran ships unmanned aircraft to Moscow", 1, mode="embedding")[0].doc != 2
    r.remove(2)
    assert 2 not in r.vectors and len(r.vectors) == 3


def test_a_purely_lexical_ranker_never_embeds(monkeypatch):
    def fail(texts):
        raise AssertionError("embedded")

    monkeypatch.setattr(ranking, "_embed", fail)
    r = Ranker(embed_weight=0.0)
    r.add_many(PROPOSITIONS.items())
    assert r.search("drones for Russia", 1)[0].doc == 2 and not len(r.vectors)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        ranker().search("Iran", 1, mode="neural")
