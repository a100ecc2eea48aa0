"""The annotation screen: a source's text with its claims, and the form to mark new ones.

Served by SourceAdmin.get_urls() at /admin/claims/source/<id>/annotate/. Every action is a plain
form post with Django's CSRF protection (the page works without JavaScript: type the offsets);
static/claims/annotate.js fills the offsets from a mouse or keyboard selection, converting the
browser's UTF-16 positions into the code points the model counts.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from claims import reading
from claims.annotating import (
    AnnotationError,
    Deleted,
    NewStance,
    NotOwner,
    ServiceError,
    VersionConflict,
    add_stances,
    delete_claim,
    deleted_claims,
    deletion_of,
    may_change_any_stance,
    remove_stance,
    restore_claim,
    set_stance,
)
from claims.models import Actor, AnchorState, Claim, Source, Stance, StanceLabel, Topic
from claims.models.base import PublishedReadOnly
from claims.propositions import NearDuplicateError
from claims.silences import confirm_silence, withdraw_silence

from . import suggestions
from .annotations import ClaimForm
from .base import shorten
from .reading import finish_reading_action, reading_context, start_reading_action
from .revising import revision_context
from .suggestions import PropositionField


class AnnotationClaimForm(ClaimForm):
    """The claim form of the screen: the source is fixed by the page."""

    def __init__(self, *args, source: Source, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].widget = forms.HiddenInput()
        self.fields["source"].queryset = Source.objects.filter(pk=source.pk)
        self.fields["source"].initial = source.pk
        self.fields["start"].widget.attrs.update({"data-role": "start", "min": 0})
        self.fields["end"].widget.attrs.update({"data-role": "end", "min": 1})
        self.fields["quote"].widget.attrs.update({"data-role": "quote", "rows": 4})
        # One click (or one key in the text: o, r, c, b) sets whose view the words are.
        self.fields["attribution"].widget = forms.RadioSelect(
            choices=Claim.Attribution.choices, attrs={"data-role": "attribution"}
        )
        self.fields["attribution"].help_text = (
            "Only the source's own claims make its position. In the text, press O (own), "
            "R (reported), C (counterpoint) or B (background)."
        )
        self.fields["speaker"].queryset = Actor.objects.order_by("name")
        self.fields["actors"].queryset = Actor.objects.order_by("name")
        self.fields["actors"].widget.attrs["size"] = 6
        self.fields["actors"].help_text = "Hold Ctrl (⌘ on a Mac) to pick several."


class NewStanceForm(forms.Form):
    """One stance to add: an existing proposition (typed, with suggestions) or a new one."""

    proposition = PropositionField(
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-find-propositions": ""}),
        help_text="Type its words or its slug: the closest existing propositions are offered.",
    )
    new_proposition = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Or write a new proposition: one checkable statement, worded neutrally.",
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.order_by("name"), required=False, help_text="For a new proposition."
    )
    label = forms.ChoiceField(choices=[("", "— no stance —"), *StanceLabel.choices], required=False)
    confirm_distinct = forms.BooleanField(
        required=False,
        label="It says something else",
        help_text="Create the new proposition although existing ones are worded closely.",
    )

    def clean(self):
        data = super().clean()
        chosen, written, label = (
            data.get("proposition"),
            data.get("new_proposition"),
            data.get("label"),
        )
        if chosen and written:
            raise forms.ValidationError(
                "Pick an existing proposition or write a new one, not both."
            )
        if (chosen or written) and not label:
            self.add_error("label", "Choose how the claim bears on the proposition.")
        if label and not (chosen or written):
            self.add_error("proposition", "Choose the proposition this stance is about.")
        return data

    def stance(self) -> NewStance | None:
        data = self.cleaned_data
        if not data.get("label"):
            return None
        return NewStance(
            label=data["label"],
            proposition=data.get("proposition"),
            new_text=data.get("new_proposition", ""),
            new_topic=data.get("topic"),
            confirmed_distinct=bool(data.get("confirm_distinct")),
        )


def _claims_of(source: Source, user):
    stances = (
        Stance.objects.visible_to(user).select_related("proposition", "annotator").order_by("pk")
    )
    return (
        Claim.objects.visible_to(user)
        .filter(source=source)
        .select_related("speaker", "revision_of")
        .prefetch_related("actors", Prefetch("stances", queryset=stances))
        .order_by("start", "end", "pk")
    )


class AnnotationScreen:
    """GET shows the screen; POST carries one action: save, delete, restore, set-stance."""

    template = "admin/claims/source/annotate.html"

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def __call__(self, request, object_id: str):
        source = get_object_or_404(Source, pk=object_id)
        if not request.user.has_perm("claims.view_claim"):
            raise PermissionDenied
        if request.method == "POST":
            if source.is_published:
                # The published revision is read-only: nothing is written, and the editor is
                # sent to its working copy.
                messages.error(request, str(PublishedReadOnly(source).message))
                return self.back(source)
            return self.post(request, source)
        gone = self._deleted(request, source)
        if gone is not None:
            # A link to a claim deleted since: say so, and where to bring it back from.
            messages.warning(
                request, f"{gone.message} Restore it from “Recently deleted” to edit it."
            )
            return self.back(source)
        claim = self._editing(request, source)
        claim_form = AnnotationClaimForm(
            instance=claim, source=source, initial=_initial_span(request, source, claim)
        )
        return self.render(request, source, claim_form, NewStanceForm(prefix="stance"), claim)

    # --- reading ----------------------------------------------------------------------------

    def _editing(self, request, source: Source) -> Claim | None:
        raw = request.GET.get("claim") or request.POST.get("claim_id")
        if not raw:
            return None
        if not str(raw).isdigit():
            raise Http404("No such claim.")
        return get_object_or_404(Claim.objects.visible_to(request.user), pk=int(raw), source=source)

    def render(
        self,
        request,
        source,
        claim_form,
        stance_form,
        editing,
        status=200,
        duplicates=(),
        gone=None,
        pending=None,
    ):
        claims = list(_claims_of(source, request.user))
        for claim in claims:
            for stance in claim.stances.all():
                # A refused "Set" shows the label the editor chose, not the stored one.
                stance.shown_label = (pending or {}).get(stance.pk, stance.label)
        writable = not source.is_published
        anchored = [c for c in claims if c.anchor_state != AnchorState.ORPHANED]
        orphaned = [c for c in claims if c.anchor_state == AnchorState.ORPHANED]
        by_id = {c.pk: c for c in claims}
        blocks = reading.render_blocks(
            source.body, source.blocks, [reading.Span(c.pk, c.start, c.end) for c in anchored]
        )
        segments = [
            (block, [(seg, _segment_classes(seg, by_id)) for seg in block.segments])
            for block in blocks
        ]
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": Source._meta,
            "title": f"Annotate “{source.title}”",
            "source": source,
            "blocks": segments,
            "claims": anchored,
            "orphaned": orphaned,
            "deleted": deleted_claims(source, user=request.user),
            "editing": editing,
            "claim_form": claim_form,
            "stance_form": stance_form,
            "labels": StanceLabel.choices,
            **self.suggestion_context(request, source, editing, claims),
            "duplicates": duplicates,
            "gone": gone,
            "user_may_change_any_stance": may_change_any_stance(request.user),
            "can_add": writable and request.user.has_perm("claims.add_claim"),
            "can_change": writable and request.user.has_perm("claims.change_claim"),
            "can_delete": writable and request.user.has_perm("claims.delete_claim"),
            "can_confirm_silence": writable
            and request.user.has_perm("claims.add_confirmedsilence"),
            "can_withdraw_silence": writable
            and request.user.has_perm("claims.delete_confirmedsilence"),
            **revision_context(request, source),
            "body_length": len(source.body),
            **reading_context(request, source),
        }
        return TemplateResponse(request, self.template, context, status=status)

    def suggestion_context(self, request, source, editing, claims) -> dict:
        """Suggestions for the claim being edited and the silence check (bounded: five
        propositions, a dozen candidates, five sentences, whatever the corpus holds)."""
        addressed = {stance.proposition_id for claim in claims for stance in claim.stances.all()}
        checked = suggestions.find_proposition(request.GET.get("silence", ""))
        return {
            "suggested": (
                suggestions.claim_suggestions(editing.quote, addressed) if editing else []
            ),
            "silence_candidates": suggestions.silence_candidates(source, addressed),
            "silences": suggestions.silences_of(source),
            "silence_query": request.GET.get("silence", ""),
            "silence_check": suggestions.silence_check(source, checked) if checked else None,
            "suggest_url": reverse("api:proposition-suggest"),
        }

    # --- actions ----------------------------------------------------------------------------

    def post(self, request, source: Source):
        action = request.POST.get("action", "")
        handlers = {
            "save": self.save,
            "delete": self.delete,
            "restore": self.restore,
            "restore-save": self.restore_save,
            "set-stance": self.set_stance,
            "confirm-silence": self.confirm_silence,
            "withdraw-silence": self.withdraw_silence,
            "start-reading": start_reading_action,
            "finish-reading": finish_reading_action,
        }
        if action not in handlers:
            messages.error(request, "Unknown action; nothing was changed.")
            return self.back(source)
        return handlers[action](request, source)

    def back(self, source: Source, claim: int | None = None, *, edit: bool = False):
        url = reverse("admin:claims_source_annotate", args=[source.pk])
        if claim is not None and edit:
            url += f"?claim={claim}"
        if claim is not None:
            url += f"#claim-{claim}"
        return HttpResponseRedirect(url)

    def _require(self, request, permission: str) -> None:
        if not request.user.has_perm(f"claims.{permission}"):
            raise PermissionDenied

    # Validation and the write share one transaction: the form's version check locks the row
    # (SELECT … FOR UPDATE), and the lock must hold until the claim is saved.
    @transaction.atomic
    def save(self, request, source: Source, *, restored: Claim | None = None):
        gone = None if restored is not None else self._deleted(request, source)
        if gone is not None:
            return self._deleted_claim(request, source, gone)
        editing = restored or self._editing(request, source)
        self._require(request, "change_claim" if editing else "add_claim")
        data = _with_pick(request.POST)
        claim_form = AnnotationClaimForm(data, instance=editing, source=source)
        stance_form = NewStanceForm(data, prefix="stance")
        if not (claim_form.is_valid() and stance_form.is_valid()):
            messages.error(request, "Nothing was saved: please correct the errors below.")
            status = 409 if claim_form.conflict or claim_form.deleted else 400
            return self.render(request, source, claim_form, stance_form, editing, status=status)
        try:
            with transaction.atomic():
                claim = claim_form.save_claim(request.user)
                new = stance_form.stance()
                if new is not None:
                    self._require(request, "add_stance")
                    add_stances(claim=claim, stances=[new], user=request.user)
        except NearDuplicateError as error:
            stance_form.add_error("new_proposition", str(error))
            messages.error(
                request,
                "Nothing was saved: the new proposition is close to existing ones. Use one of "
                "them, or confirm that it says something else.",
            )
            return self.render(
                request,
                source,
                claim_form,
                stance_form,
                editing,
                status=400,
                duplicates=error.candidates,
            )
        except ServiceError as error:
            form = claim_form if error.field in claim_form.fields else stance_form
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            messages.error(request, "Nothing was saved: please correct the errors below.")
            return self.render(request, source, claim_form, stance_form, editing, status=400)
        except AnnotationError as error:
            stance_form.add_error(None, str(error))
            messages.error(request, "Nothing was saved: please correct the errors below.")
            return self.render(request, source, claim_form, stance_form, editing, status=400)
        verb = "updated" if editing else "created"
        messages.success(request, f"Claim {verb}: “{shorten(claim.quote, 80)}”.")
        return self.back(source, claim.pk)

    def _deleted(self, request, source: Source) -> Deleted | None:
        """The deletion of the claim the form was editing, when it is gone from this source."""
        raw = request.POST.get("claim_id", "") or request.GET.get("claim", "")
        if not raw.isdigit() or Claim.objects.filter(pk=int(raw)).exists():
            return None
        visible = [record.id for record in deleted_claims(source, user=request.user, limit=50)]
        if int(raw) not in visible:
            return None
        return deletion_of(Claim, int(raw))

    def _deleted_claim(self, request, source: Source, gone: Deleted):
        """409: the claim was deleted while it was being edited. The typed values stay in the
        form, and the screen offers to restore the claim with them."""
        claim_form = AnnotationClaimForm(_with_pick(request.POST), source=source)
        stance_form = NewStanceForm(_with_pick(request.POST), prefix="stance")
        messages.error(request, f"{gone.message} Your edits were not saved; they are below.")
        return self.render(request, source, claim_form, stance_form, None, status=409, gone=gone)

    @transaction.atomic
    def restore_save(self, request, source: Source):
        """Bring back the deleted claim the form was editing, then save the typed edits on it
        (checked against the version it was deleted at, as any edit)."""
        self._require(request, "add_claim")
        self._require(request, "change_claim")
        raw = request.POST.get("claim_id", "")
        if not raw.isdigit():
            raise Http404("No claim given.")
        existing = Claim.objects.visible_to(request.user).filter(pk=int(raw), source=source)
        claim = existing.first()
        if claim is None:
            try:
                claim, _ = restore_claim(claim_id=int(raw), source=source, user=request.user)
            except AnnotationError as error:
                messages.error(request, str(error))
                return self.back(source)
        return self.save(request, source, restored=claim)

    def set_stance(self, request, source: Source):
        """Change the label of a stance, or remove it: the annotator's own, or as a reviewer;
        refused when the stance changed since the page showed it."""
        raw = request.POST.get("stance_id", "")
        stance = (
            Stance.objects.visible_to(request.user)
            .select_related("annotator", "proposition")
            .filter(pk=int(raw) if raw.isdigit() else 0, claim__source=source)
            .first()
        )
        if stance is None:
            on_source = Stance.history.filter(
                id=int(raw) if raw.isdigit() else 0,
                claim_id__in=Claim.objects.filter(source=source).values("pk"),
            ).exists()
            gone = deletion_of(Stance, int(raw)) if on_source else None
            if gone is None:
                raise Http404("No such stance.")
            messages.error(request, gone.message.replace("claim", "stance") + " Nothing changed.")
            return self.back(source)
        label = request.POST.get("label", "")
        version = request.POST.get("version", "")
        seen = int(version) if version.isdigit() else 0
        if label == "remove":
            self._require(request, "delete_stance")
        elif label in StanceLabel.values:
            self._require(request, "change_stance")
        else:
            messages.error(request, "Choose one of the stance labels.")
            return self.back(source, stance.claim_id, edit=True)
        try:
            if label == "remove":
                remove_stance(stance=stance, version=seen, by=request.user)
                messages.success(request, "Stance removed.")
            else:
                rechecked = stance.needs_recheck
                if stance.label != label or rechecked:
                    # Saving a stance marked for re-checking is the editor's word that it holds.
                    set_stance(stance=stance, version=seen, by=request.user, label=label)
                if rechecked:
                    messages.success(request, f"Stance confirmed as {label}: it counts again.")
                else:
                    messages.success(request, f"Stance set to {label}.")
        except NotOwner as error:
            messages.error(request, f"{error.message} Nothing changed.")
            editing = Claim.objects.get(pk=stance.claim_id)
            return self.render_plain(request, source, editing, status=403)
        except VersionConflict as conflict:
            described = _described(conflict)
            chosen = "remove it" if label == "remove" else label
            messages.error(
                request,
                f"Not changed: someone else changed this stance since the page showed it "
                f"({described}). Your choice, {chosen}, "
                "is still selected: Set again to apply it.",
            )
            editing = Claim.objects.get(pk=stance.claim_id)
            return self.render_plain(
                request, source, editing, status=409, pending={stance.pk: label}
            )
        return self.back(source, stance.claim_id, edit=True)

    def render_plain(self, request, source, editing, *, status, pending=None):
        """The screen with `editing` open, as after a GET, answering a refused action."""
        claim_form = AnnotationClaimForm(instance=editing, source=source)
        return self.render(
            request,
            source,
            claim_form,
            NewStanceForm(prefix="stance"),
            editing,
            status=status,
            pending=pending or {},
        )

    def confirm_silence(self, request, source: Source):
        """Record that the source says nothing on a proposition."""
        self._require(request, "add_confirmedsilence")
        proposition = suggestions.find_proposition(request.POST.get("proposition", ""))
        if proposition is None:
            messages.error(request, "Choose the proposition the source is silent on.")
            return self.back(source)
        try:
            confirm_silence(
                source=source,
                proposition=proposition,
                by=request.user,
                note=request.POST.get("note", "")[:2000],
            )
        except AnnotationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Confirmed: the source is silent on “{proposition.text}”.")
        return self.back(source)

    def withdraw_silence(self, request, source: Source):
        """Take back a confirmed silence."""
        self._require(request, "delete_confirmedsilence")
        proposition = suggestions.find_proposition(request.POST.get("proposition", ""))
        if proposition is not None and withdraw_silence(source=source, proposition=proposition):
            messages.success(request, f"No longer marked silent on “{proposition.text}”.")
        else:
            messages.error(request, "There was no confirmed silence to take back.")
        return self.back(source)

    def delete(self, request, source: Source):
        self._require(request, "delete_claim")
        claim = self._editing(request, source)
        if claim is None:
            raise Http404("No claim given.")
        quote = shorten(claim.quote, 80)
        version = request.POST.get("version", "")
        try:
            delete_claim(
                claim=claim,
                version=int(version) if version.isdigit() else claim.version,
                by=request.user,
            )
        except VersionConflict as conflict:
            described = _described(conflict)
            messages.error(
                request,
                f"Not deleted: someone else changed this claim since the page showed it "
                f"({described}). Look at it again and delete it if you still mean to.",
            )
            return self.back(source, claim.pk)
        messages.success(
            request,
            f"Claim deleted: “{quote}”. Restore it from “Recently deleted” to undo.",
        )
        return self.back(source)

    @transaction.atomic
    def restore(self, request, source: Source):
        self._require(request, "add_claim")
        raw = request.POST.get("claim_id", "")
        if not raw.isdigit():
            raise Http404("No claim given.")
        try:
            claim, stances = restore_claim(claim_id=int(raw), source=source, user=request.user)
        except AnnotationError as error:
            messages.error(request, str(error))
            return self.back(source)
        note = (
            " It could not be found in the current text and is listed as orphaned."
            if (claim.anchor_state == AnchorState.ORPHANED)
            else ""
        )
        messages.success(request, f"Claim restored with {stances} stance(s).{note}")
        return self.back(source, claim.pk)


def _described(conflict: VersionConflict) -> str:
    """What another editor changed, in one line for a message."""
    return (
        "; ".join(
            f"{change.label}: {shorten(str(change.then or '—'), 60)} → "
            f"{shorten(str(change.now or '—'), 60)}"
            for change in conflict.changes
        )
        or f"now at version {conflict.current}"
    )


def _initial_span(request, source: Source, editing: Claim | None) -> dict:
    """A span offered by a link (?start=&end=, from the silence check) pre-fills a new claim."""
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    if editing is not None or not (start.isdigit() and end.isdigit()):
        return {}
    start_at, end_at = int(start), int(end)
    if not 0 <= start_at < end_at <= len(source.body):
        return {}
    return {"start": start_at, "end": end_at, "quote": source.body[start_at:end_at]}


def _with_pick(post):
    """A one-click suggestion ("pick" = "<slug>|<label>") fills the stance fields: the
    proposition and the label, instead of whatever was typed in them."""
    pick = post.get("pick", "")
    if "|" not in pick:
        return post
    slug, label = pick.rsplit("|", 1)
    data = post.copy()
    data["stance-proposition"], data["stance-label"] = slug, label
    data["stance-new_proposition"] = ""
    return data


def _segment_classes(segment: reading.Segment, claims: dict[int, Claim]) -> str:
    """CSS classes of a text segment: the innermost claim's stance and the nesting depth."""
    if not segment.claims:
        return ""
    innermost = claims[segment.innermost]
    labels = {stance.label for stance in innermost.stances.all()}
    stance = labels.pop() if len(labels) == 1 else ("mixed" if labels else "none")
    depth = min(segment.depth, 3)
    return f"seg-claim stance-{stance} depth-{depth}"
