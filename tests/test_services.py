"""The write services of claims.annotating, called directly: field-named errors, version
conflicts, ownership and the one-stance-per-annotator rule."""

import pytest
from django.contrib.auth.models import Group

from claims import annotating
from claims.annotating import (
    Deleted,
    NotOwner,
    ServiceError,
    VersionConflict,
    add_stance,
    create_claim,
    delete_claim,
    remove_stance,
    set_stance,
    update_claim,
)
from claims.editing import update_source_text
from claims.models import Claim, Proposition, Stance

from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "Moscow backs the corridor. Tehran calls it a red line."


@pytest.fixture
def source():
    return SourceFactory(body=BODY)


@pytest.fixture
def carol(db):
    """A second editor."""
    user = UserFactory(username="carol", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_create_claim_takes_quote_and_context_from_the_text(source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor, note="n")
    assert (claim.quote, claim.prefix, claim.suffix[:6]) == ("Moscow", "", " backs")
    assert claim.created_by == editor
    assert claim.history.get().history_user == editor


@pytest.mark.parametrize(
    ("span", "quote", "field", "words"),
    [
        ((5, 3), None, "end", "less than end"),
        ((0, 999), None, "end", "must not exceed"),
        ((6, 7), None, "end", "whitespace"),
        ((0, 6), "Tehran", "quote", "does not match"),
    ],
)
def test_bad_spans_name_their_field(source, editor, span, quote, field, words):
    with pytest.raises(ServiceError) as refused:
        create_claim(source=source, start=span[0], end=span[1], quote=quote, by=editor)
    assert refused.value.field == field
    assert words in refused.value.message
    assert refused.value.as_dict() == {field: [refused.value.message]}
    assert not Claim.objects.filter(source=source).exists()


def test_a_quote_with_browser_line_endings_matches(editor):
    source = SourceFactory(body="One line.\nTwo lines.")
    claim = create_claim(source=source, start=0, end=19, quote="One line.\r\nTwo lines", by=editor)
    assert claim.quote == "One line.\nTwo lines"


def test_update_claim_checks_the_version_and_says_what_changed(source, editor, carol):
    claim = create_claim(source=source, start=0, end=6, by=editor, note="first")
    seen = claim.version
    update_claim(claim=Claim.objects.get(pk=claim.pk), version=seen, by=carol, note="Carol's")
    with pytest.raises(VersionConflict) as refused:
        update_claim(claim=Claim.objects.get(pk=claim.pk), version=seen, by=editor, note="mine")
    conflict = refused.value
    assert (conflict.seen, conflict.current, conflict.code) == (seen, seen + 1, "stale")
    assert [(c.name, c.then, c.now) for c in conflict.changes] == [("note", "first", "Carol's")]
    assert Claim.objects.get(pk=claim.pk).note == "Carol's"


def test_update_claim_leaves_the_span_of_an_orphaned_claim_alone(source, editor):
    claim = ClaimFactory(source=source, span=(0, 6))
    Claim.objects.filter(pk=claim.pk).update(anchor_state="orphaned")
    claim.refresh_from_db()
    update_claim(claim=claim, version=claim.version, by=editor, note="still lost")
    claim.refresh_from_db()
    assert (claim.anchor_state, claim.note) == ("orphaned", "still lost")


def test_moving_a_span_re_derives_the_quote(source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    update_claim(claim=claim, version=claim.version, by=editor, start=27, end=33)
    claim.refresh_from_db()
    assert claim.quote == "Tehran" and claim.anchor_state == "anchored"


def test_a_deleted_claim_says_who_deleted_it_and_when(source, editor, carol):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    stale = Claim.objects.get(pk=claim.pk)
    delete_claim(claim=claim, version=claim.version, by=carol)
    with pytest.raises(Deleted) as refused:
        update_claim(claim=stale, version=stale.version, by=editor, note="typed")
    assert refused.value.by == "carol" and refused.value.at is not None
    assert refused.value.message.startswith("This claim was deleted by carol at ")


def test_delete_claim_refuses_a_stale_version(source, editor, carol):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    update_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=carol, kind="opinion")
    with pytest.raises(VersionConflict):
        delete_claim(claim=claim, version=1, by=editor)
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_one_stance_per_claim_proposition_and_annotator(source, editor, carol):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    proposition = PropositionFactory()
    add_stance(claim=claim, proposition=proposition, label="supports", by=editor)
    with pytest.raises(ServiceError) as refused:
        add_stance(claim=claim, proposition=proposition, label="mixed", by=editor)
    assert (refused.value.field, refused.value.code) == ("proposition", "duplicate")
    # Another annotator gives their own reading of the same claim.
    add_stance(claim=claim, proposition=proposition, label="contradicts", by=carol)
    assert Stance.objects.filter(claim=claim).count() == 2


def test_moving_a_stance_onto_a_proposition_it_already_has_is_refused(source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    first, second = PropositionFactory(), PropositionFactory()
    add_stance(claim=claim, proposition=first, label="supports", by=editor)
    other = add_stance(claim=claim, proposition=second, label="supports", by=editor)
    with pytest.raises(ServiceError) as refused:
        set_stance(stance=other, version=other.version, by=editor, proposition=first)
    assert refused.value.field == "proposition"


def test_an_unknown_label_names_the_field(source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    with pytest.raises(ServiceError) as refused:
        add_stance(claim=claim, proposition=PropositionFactory(), label="agrees", by=editor)
    assert refused.value.field == "label"


def test_an_editor_cannot_change_or_remove_another_annotators_stance(editor, carol):
    stance = StanceFactory(annotator=carol, label="supports", note="Carol's reading")
    with pytest.raises(NotOwner) as refused:
        set_stance(stance=stance, version=stance.version, by=editor, label="mixed")
    assert refused.value.field == "annotator" and "carol" in refused.value.message
    with pytest.raises(NotOwner):
        remove_stance(stance=stance, version=stance.version, by=editor)
    stance.refresh_from_db()
    assert (stance.label, stance.note) == ("supports", "Carol's reading")


def test_a_reviewer_may_and_the_history_names_the_reviewer(reviewer, carol):
    stance = StanceFactory(annotator=carol, label="supports")
    set_stance(stance=stance, version=stance.version, by=reviewer, label="mixed")
    stance.refresh_from_db()
    assert stance.label == "mixed" and stance.annotator == carol
    assert stance.history.order_by("-history_date").first().history_user == reviewer
    pk = remove_stance(stance=stance, version=stance.version, by=reviewer)
    assert not Stance.objects.filter(pk=pk).exists()
    assert Stance.history.filter(id=pk, history_type="-").get().history_user == reviewer


def test_set_stance_refuses_a_stale_version(editor):
    stance = StanceFactory(annotator=editor, label="supports")
    set_stance(stance=Stance.objects.get(pk=stance.pk), version=1, by=editor, note="later")
    with pytest.raises(VersionConflict) as refused:
        set_stance(stance=stance, version=1, by=editor, label="mixed")
    assert [c.name for c in refused.value.changes] == ["note"]
    assert Stance.objects.get(pk=stance.pk).label == "supports"


def test_a_write_refused_by_the_model_is_answered_by_field(monkeypatch, source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    from django.core.exceptions import ValidationError

    def refuse(self, *args, **kwargs):
        raise ValidationError({"note": "This source is published: edit a working copy."})

    monkeypatch.setattr(Claim, "save", refuse)
    with pytest.raises(ServiceError) as refused:
        update_claim(claim=claim, version=claim.version, by=editor, note="x")
    assert refused.value.field == "note" and "published" in refused.value.message


def test_restoring_a_claim_brings_back_its_stances(source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    add_stance(claim=claim, proposition=PropositionFactory(), label="supports", by=editor)
    pk = delete_claim(claim=claim, version=claim.version, by=editor)
    restored, stances = annotating.restore_claim(claim_id=pk, user=editor)
    assert restored.pk == pk and stances == 1


def test_update_source_text_checks_the_version(editor, carol):
    source = SourceFactory(body=BODY)
    claim = ClaimFactory(source=source, span=(27, 33))
    seen = source.version
    source.title = "Carol's title"
    source.save()
    with pytest.raises(VersionConflict) as refused:
        update_source_text(source=source, body="New. " + BODY, version=seen, by=editor)
    assert [c.name for c in refused.value.changes] == ["title"]
    current = type(source).objects.get(pk=source.pk)
    change = update_source_text(
        source=current, body="New. " + BODY, version=current.version, by=editor
    )
    assert change.moved == [claim.pk]
    assert Claim.objects.get(pk=claim.pk).start == 32


def test_propositions_are_not_touched_by_a_refused_stance(source, editor):
    claim = create_claim(source=source, start=0, end=6, by=editor)
    before = Proposition.objects.count()
    with pytest.raises(ServiceError):
        annotating.add_stances(
            claim=claim,
            stances=[annotating.NewStance(label="nonsense", new_text="A new statement here.")],
            user=editor,
        )
    assert Proposition.objects.count() == before
