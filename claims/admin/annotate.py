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
    NewStance,
    add_stances,
    delete_claim,
    deleted_claims,
    restore_claim,
)
from claims.models import Actor, AnchorState, Claim, Proposition, Source, Stance, StanceLabel, Topic

from .annotations import ClaimForm
from .base import shorten


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

    proposition = forms.ModelChoiceField(
        queryset=Proposition.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.TextInput(attrs={"list": "proposition-options", "autocomplete": "off"}),
        help_text="Start typing: suggestions come from the existing propositions.",
        error_messages={"invalid_choice": "No proposition has that name; write it as a new one."},
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
        )


def _claims_of(source: Source):
    stances = Stance.objects.select_related("proposition", "annotator").order_by("pk")
    return (
        Claim.objects.filter(source=source)
        .select_related("speaker")
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
            return self.post(request, source)
        claim = self._editing(request, source)
        claim_form = AnnotationClaimForm(instance=claim, source=source)
        return self.render(request, source, claim_form, NewStanceForm(prefix="stance"), claim)

    # --- reading ----------------------------------------------------------------------------

    def _editing(self, request, source: Source) -> Claim | None:
        raw = request.GET.get("claim") or request.POST.get("claim_id")
        if not raw:
            return None
        if not str(raw).isdigit():
            raise Http404("No such claim.")
        return get_object_or_404(Claim, pk=int(raw), source=source)

    def render(self, request, source, claim_form, stance_form, editing, status=200):
        claims = list(_claims_of(source))
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
            "deleted": deleted_claims(source),
            "editing": editing,
            "claim_form": claim_form,
            "stance_form": stance_form,
            "propositions": Proposition.objects.order_by("slug").only("slug", "text"),
            "labels": StanceLabel.choices,
            "can_add": request.user.has_perm("claims.add_claim"),
            "can_change": request.user.has_perm("claims.change_claim"),
            "can_delete": request.user.has_perm("claims.delete_claim"),
            "body_length": len(source.body),
        }
        return TemplateResponse(request, self.template, context, status=status)

    # --- actions ----------------------------------------------------------------------------

    def post(self, request, source: Source):
        action = request.POST.get("action", "")
        handlers = {
            "save": self.save,
            "delete": self.delete,
            "restore": self.restore,
            "set-stance": self.set_stance,
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
    def save(self, request, source: Source):
        editing = self._editing(request, source)
        self._require(request, "change_claim" if editing else "add_claim")
        claim_form = AnnotationClaimForm(request.POST, instance=editing, source=source)
        stance_form = NewStanceForm(request.POST, prefix="stance")
        if not (claim_form.is_valid() and stance_form.is_valid()):
            messages.error(request, "Nothing was saved: please correct the errors below.")
            return self.render(request, source, claim_form, stance_form, editing, status=400)
        try:
            with transaction.atomic():
                claim = claim_form.save(commit=False)
                if editing is None:
                    claim.created_by = request.user
                claim.save()
                claim_form.save_m2m()
                new = stance_form.stance()
                if new is not None:
                    self._require(request, "add_stance")
                    add_stances(claim=claim, stances=[new], user=request.user)
        except AnnotationError as error:
            stance_form.add_error(None, str(error))
            messages.error(request, "Nothing was saved: please correct the errors below.")
            return self.render(request, source, claim_form, stance_form, editing, status=400)
        verb = "updated" if editing else "created"
        messages.success(request, f"Claim {verb}: “{shorten(claim.quote, 80)}”.")
        return self.back(source, claim.pk)

    def set_stance(self, request, source: Source):
        """Change the label of a stance, or remove it."""
        raw = request.POST.get("stance_id", "")
        stance = get_object_or_404(
            Stance, pk=int(raw) if raw.isdigit() else 0, claim__source=source
        )
        label = request.POST.get("label", "")
        if label == "remove":
            self._require(request, "delete_stance")
            stance.delete()
            messages.success(request, "Stance removed.")
        elif label in StanceLabel.values:
            self._require(request, "change_stance")
            if stance.label != label:
                stance.label = label
                stance.save()
            messages.success(request, f"Stance set to {label}.")
        else:
            messages.error(request, "Choose one of the stance labels.")
        return self.back(source, stance.claim_id, edit=True)

    def delete(self, request, source: Source):
        self._require(request, "delete_claim")
        claim = self._editing(request, source)
        if claim is None:
            raise Http404("No claim given.")
        quote = shorten(claim.quote, 80)
        delete_claim(claim=claim)
        messages.success(
            request,
            f"Claim deleted: “{quote}”. Restore it from “Recently deleted” to undo.",
        )
        return self.back(source)

    def restore(self, request, source: Source):
        self._require(request, "add_claim")
        raw = request.POST.get("claim_id", "")
        if not raw.isdigit():
            raise Http404("No claim given.")
        try:
            claim, stances = restore_claim(claim_id=int(raw))
        except AnnotationError as error:
            messages.error(request, str(error))
            return self.back(source)
        if claim.source_id != source.pk:
            raise Http404("That claim belongs to another source.")
        note = (
            " It could not be found in the current text and is listed as orphaned."
            if (claim.anchor_state == AnchorState.ORPHANED)
            else ""
        )
        messages.success(request, f"Claim restored with {stances} stance(s).{note}")
        return self.back(source, claim.pk)


def _segment_classes(segment: reading.Segment, claims: dict[int, Claim]) -> str:
    """CSS classes of a text segment: the innermost claim's stance and the nesting depth."""
    if not segment.claims:
        return ""
    innermost = claims[segment.innermost]
    labels = {stance.label for stance in innermost.stances.all()}
    stance = labels.pop() if len(labels) == 1 else ("mixed" if labels else "none")
    depth = min(segment.depth, 3)
    return f"seg-claim stance-{stance} depth-{depth}"
