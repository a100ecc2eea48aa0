"""Word-level differences (claims.wordiff): pure Python, no database."""

from claims.wordiff import Piece, has_changes, word_diff


def test_one_changed_word_in_a_long_text_shows_with_its_context_only():
    before = " ".join(f"w{i}" for i in range(500))
    after = before.replace("w250", "changed")
    pieces = word_diff(before, after, context=3)
    assert [p for p in pieces if p.kind in {"removed", "added"}] == [
        Piece("removed", "w250"),
        Piece("added", "changed"),
    ]
    gaps = [p.text for p in pieces if p.kind == "gap"]
    assert gaps == ["247 unchanged words", "246 unchanged words"]
    shown = "".join(p.text for p in pieces if p.kind == "same")
    assert "w247 w248 w249 " in shown and " w251 w252 w253" in shown


def test_without_gaps_the_pieces_give_back_both_texts():
    before, after = "Moscow backs the corridor.", "Moscow now opposes the corridor!"
    pieces = word_diff(before, after)
    assert "".join(p.text for p in pieces if p.kind != "added") == before
    assert "".join(p.text for p in pieces if p.kind != "removed") == after
    assert has_changes(pieces)


def test_equal_texts_have_no_changes():
    assert not has_changes(word_diff("same words", "same words"))
    assert word_diff("", "") == []
