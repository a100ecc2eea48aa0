"""How search compares words: pure functions, no database."""

from claims import wording


def term(word: str) -> wording.Term:
    [found] = wording.terms(word)
    return found


def test_folding_removes_case_and_accents():
    assert wording.fold("Nakhçıvan") == "nakhcivan"
    assert wording.fold("Ærø Straße") == "ærø strasse".replace("ø", "o")
    assert wording.fold("Zángezur") == "zangezur"


def test_terms_drop_function_words_and_repeats():
    assert [t.word for t in wording.terms("The drones of the Drones, and Iran's")] == [
        "drones",
        "iran",
    ]
    assert wording.terms("the of and") == []


def test_stems_and_prefixes():
    assert term("drones").finds("drone") and term("drone").finds("drones")
    assert term("sanction").finds("sanctioned")
    assert term("policies").finds("policy")
    assert not term("drone").finds("iran")


def test_spelling_variants_of_long_words_only():
    assert term("nakhichevan").finds("nakhchivan")
    assert term("nakhchivan").finds("nakhichevan")
    assert not term("iraq").finds("iran")  # short words: too few trigrams to tell
    assert wording.similarity("nakhichevan", "nakhchivan") == 6 / 17  # pg_trgm's own figure


def test_found_spans_are_offsets_into_the_original_text():
    text = "Two Drones over Nakhçıvan."
    spans = wording.found_spans(text, wording.terms("drone nakhichevan"))
    assert [text[s:e] for s, e in spans] == ["Drones", "Nakhçıvan"]
