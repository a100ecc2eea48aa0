"""Admin for claims and stances.

A claim is entered as offsets into its source's text; the quote, prefix and suffix are taken
from the text itself, so they cannot disagree with it.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from claims import annotating, revisions
from claims.models import AnchorState, Claim, Stance
from claims.models.base import PublishedReadOnly

from .base import ChosenOnlyFilter, HistoryAdmin, shorten
from .deleted import deleted_claim_page, deleted_on_post, restore_for_edit
from .imports import AnnotationImportScreen
from .locking import VersionedBulkActions, VersionedForm


class ClaimForm(VersionedForm):
    class Meta:
        model = Claim
        fields = [
            "source",
            "start",
            "end",
            "quote",
            "kind",
            "attribution",
            "speaker",
            "actors",
            "note",
        ]
        widgets = {"quote": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "quote": "Leave empty to take the words between start and end; if you fill it in, "
            "it must match them exactly.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A view-only form (a published claim) has no fields to adjust.
        if "quote" in self.fields:
            self.fields["quote"].required = False
        # A form posted without it (an older page, a script) keeps the claim's attribution:
        # the source's own view for a new claim.
        if "attribution" in self.fields:
            self.fields["attribution"].required = False

    def clean(self):
        data = super().clean()
        source, start, end = data.get("source"), data.get("start"), data.get("end")
        if source is not None and source.is_published:
            raise forms.ValidationError({"source": PublishedReadOnly(source).message})
        if source is None or start is None or end is None:
            return data
        if self.instance.pk is not None and source.pk != self.instance.source_id:
            raise forms.ValidationError(
                {"source": "A claim stays on its source: delete it and mark the words anew."}
            )
        try:
            anchor = annotating.anchor_span(
                source=source, start=start, end=end, quote=data.get("quote") or None
            )
        except annotating.ServiceError as error:
            raise forms.ValidationError(error.as_dict()) from None
        data["quote"] = anchor.quote
        self.instance.prefix, self.instance.suffix = anchor.prefix, anchor.suffix
        self.instance.anchor_state = Claim._meta.get_field("anchor_state").default
        return data

    def save_claim(self, user) -> Claim:
        """Write the claim through claims.annotating (create or change, at the version clean()
        checked); the form's own save is not used."""
        data = self.cleaned_data
        fields = {
            "start": data["start"],
            "end": data["end"],
            "quote": data["quote"],
            "kind": data["kind"],
            "attribution": data.get("attribution") or self.instance.attribution,
            "speaker": data.get("speaker"),
            "actors": list(data.get("actors") or []),
            "note": data.get("note", ""),
        }
        if self.instance.pk is None:
            claim = annotating.create_claim(source=data["source"], by=user, **fields)
        else:
            stored = Claim.objects.get(pk=self.instance.pk)
            claim = annotating.update_claim(
                claim=stored, version=self.checked_version, by=user, **fields
            )
        self.instance = claim
        return claim


class StanceFormSet(BaseInlineFormSet):
    """The stances of a claim change form. New stances are the logged-in user's; another
    annotator's stance is changed or removed by a reviewer only; removals are checked against
    the version the row was shown at, like changes (claims.annotating)."""

    user = None

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            stance = form.instance
            if stance.pk is None:
                continue
            try:
                annotating.check_owner(stance=stance, user=self.user)
                annotating.check_version(stance, form.cleaned_data.get("seen_version"))
            except annotating.ServiceError as error:
                raise forms.ValidationError(
                    f"Stance on “{stance.proposition.text}” not removed: {error.message}"
                ) from None

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        return annotating.add_stance(
            claim=self.instance,
            proposition=data["proposition"],
            label=data["label"],
            note=data.get("note", ""),
            by=self.user,
        )

    def save_existing(self, form, obj, commit=True):
        data = form.cleaned_data
        return annotating.set_stance(
            stance=Stance.objects.select_related("annotator").get(pk=obj.pk),
            version=form.checked_version,
            by=self.user,
            label=data["label"],
            proposition=data["proposition"],
            note=data.get("note", ""),
        )

    def delete_existing(self, obj, commit=True):
        if commit:
            annotating.remove_stance(stance=obj, version=None, by=self.user)


class InlineStanceForm(VersionedForm):
    """A stance row of the claim form: proposition, label and note; the annotator is shown,
    never chosen."""

    user = None

    class Meta:
        model = Stance
        fields = ["proposition", "label", "note"]

    def clean(self):
        data = super().clean()
        stance = self.instance
        if stance.pk is not None and self.has_changed():
            try:
                annotating.check_owner(stance=stance, user=self.user)
            except annotating.NotOwner as error:
                raise forms.ValidationError(error.message, code=error.code) from None
        proposition = data.get("proposition")
        if proposition is not None and stance.claim_id is not None:
            try:
                annotating.check_no_duplicate(
                    claim=stance.claim,
                    proposition=proposition,
                    annotator=stance.annotator if stance.pk else self.user,
                    exclude=stance.pk,
                )
            except annotating.ServiceError as error:
                raise forms.ValidationError(error.as_dict()) from None
        return data


def _published(claim) -> bool:
    return claim is not None and claim.source.is_published


class StanceInline(admin.TabularInline):
    model = Stance
    form = InlineStanceForm
    formset = StanceFormSet
    autocomplete_fields = ["proposition"]
    fields = ["proposition", "label", "note", "annotator_name", "needs_recheck", "seen_version"]
    readonly_fields = ["annotator_name", "needs_recheck"]
    extra = 1

    # The stances of a published claim are part of the published revision: read-only.
    def has_add_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("annotator")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        return type(formset.__name__, (formset,), {"user": request.user, "form": form})

    @admin.display(description="Annotator")
    def annotator_name(self, obj: Stance) -> str:
        return obj.annotator.get_username() if obj.pk else "you"


@admin.register(Claim)
class ClaimAdmin(VersionedBulkActions, HistoryAdmin):
    form = ClaimForm
    list_display = [
        "short_quote",
        "source",
        "kind",
        "attribution",
        "speaker",
        "anchor_state",
        "stance_labels",
    ]
    list_select_related = ["source", "speaker"]
    list_defer = ["source__body", "source__blocks", "source__provenance"]
    # A million claims come from tens of thousands of sources: the source filter shows the
    # one chosen (from a source's claim count), not a list of them all.
    list_filter = [
        "attribution",
        "kind",
        "anchor_state",
        "source__status",
        ("source", ChosenOnlyFilter),
    ]
    search_fields = ["quote", "note", "source__title"]
    # Newest first, along the primary key: the model's order (by source, whose own order is
    # by date and title) sorts a million claims joined with their sources for every page.
    # For the same reason no column sorts the list; filters and search narrow it instead.
    ordering = ["-pk"]
    sortable_by = []
    autocomplete_fields = ["source", "speaker", "actors"]
    readonly_fields = ["prefix", "suffix", "anchor_state", "words_change", "created_by"]
    inlines = [StanceInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)

    @admin.display(description="Words before the edit")
    def words_change(self, obj: Claim):
        """For a claim whose words changed: the words the stances were given on."""
        if obj is None or obj.anchor_state != AnchorState.WORDS_CHANGED:
            return "—"
        before = obj.revision_of.quote if obj.revision_of_id else _previous_quote(obj)
        return format_html(
            "<del>“{}”</del><br>now <ins>“{}”</ins><br>Its stances count nowhere until an "
            "editor confirms or changes each of them.",
            before or "(not recorded)",
            obj.quote,
        )

    def get_queryset(self, request):
        # A blind reader sees only their own claims and stances until every reader is done.
        stances = Stance.objects.visible_to(request.user).select_related("proposition")
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .prefetch_related(Prefetch("stances", queryset=stances))
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(AnnotationImportScreen(self)),
                name="claims_claim_import",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Quote")
    def short_quote(self, obj: Claim) -> str:
        return format_html("{}{}", shorten(obj.quote), self.seen_marker(obj))

    @admin.display(description="Stances")
    def stance_labels(self, obj: Claim) -> str:
        return (
            "; ".join(f"{stance.label} {stance.proposition.slug}" for stance in obj.stances.all())
            or "—"
        )

    def save_model(self, request, obj: Claim, form, change: bool) -> None:
        claim = form.save_claim(request.user)
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        obj.pk, obj.version, obj.created_by = claim.pk, claim.version, claim.created_by
        obj.prefix, obj.suffix, obj.anchor_state = claim.prefix, claim.suffix, claim.anchor_state
        obj._state.adding = False

    def save_related(self, request, form, formsets, change: bool) -> None:
        # Actors were written with the claim (claims.annotating); the stances go row by row.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj: Claim) -> None:
        annotating.delete_claim(claim=obj, version=None, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        # One by one, as on the annotation screen: each claim locked and deleted by the service.
        for claim in queryset:
            annotating.delete_claim(claim=claim, version=None, by=request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        deleted = deleted_on_post(request, object_id)
        if deleted is not None:
            return deleted_claim_page(self, request, object_id, deleted)
        if request.method == "GET" and str(object_id).isdigit():
            gone = not Claim.objects.filter(pk=object_id).exists() and annotating.deletion_of(
                Claim, int(object_id), user=request.user
            )
            if gone:
                self.message_user(
                    request,
                    f"{gone.message} Restore it from its source's annotation screen "
                    "(“Recently deleted”) or from its history.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(reverse("admin:claims_claim_changelist"))
        if request.method == "POST" and request.POST.get("restore-claim"):
            # The restored claim is at the version it was deleted at: the typed edits are
            # checked against it as against any other.
            refused = restore_for_edit(request, object_id)
            if refused is not None:
                return refused
        return super().change_view(request, object_id, form_url, extra_context)


def _previous_quote(claim: Claim) -> str:
    record = (
        Claim.history.filter(id=claim.pk).exclude(quote=claim.quote).order_by("-history_date")
    ).first()
    return record.quote if record is not None else ""


class StanceForm(VersionedForm):
    """A stance on its own: an editor labels claims as themselves; a reviewer may correct
    anyone's stance, which keeps its annotator."""

    user = None

    class Meta:
        model = Stance
        fields = ["claim", "proposition", "label", "note"]

    def clean(self):
        data = super().clean()
        stance, user = self.instance, self.user
        if stance.pk is not None and self.has_changed():
            try:
                annotating.check_owner(stance=stance, user=user)
            except annotating.NotOwner as error:
                raise forms.ValidationError(error.message, code=error.code) from None
        claim, proposition = data.get("claim"), data.get("proposition")
        if claim is not None and proposition is not None:
            try:
                annotating.check_no_duplicate(
                    claim=claim,
                    proposition=proposition,
                    annotator=stance.annotator if stance.pk else user,
                    exclude=stance.pk,
                )
            except annotating.ServiceError as error:
                raise forms.ValidationError(error.as_dict()) from None
        if stance.pk is not None and claim is not None and claim.pk != stance.claim_id:
            raise forms.ValidationError(
                {"claim": "A stance stays on its claim: remove it and label the other claim."}
            )
        if claim is not None and claim.source.is_published:
            raise forms.ValidationError({"claim": PublishedReadOnly(claim.source).message})
        return data


@admin.register(Stance)
class StanceAdmin(VersionedBulkActions, HistoryAdmin):
    form = StanceForm
    list_display = ["claim_quote", "source", "proposition", "label", "annotator", "needs_recheck"]
    list_select_related = ["claim__source", "proposition", "annotator"]
    list_defer = ["claim__source__body", "claim__source__blocks", "claim__source__provenance"]
    list_filter = [
        "label",
        "needs_recheck",
        "proposition__topics",
        ("claim__source", ChosenOnlyFilter),
        "annotator",
    ]
    actions = ["confirm_action"]

    def has_change_permission(self, request, obj=None) -> bool:
        return not _published(getattr(obj, "claim", None)) and super().has_change_permission(
            request, obj
        )

    @admin.action(description="Confirm selected stances (their claim's words changed)")
    def confirm_action(self, request, queryset) -> None:
        confirmed, refused = 0, []
        for stance in queryset.filter(needs_recheck=True).select_related("claim__source"):
            try:
                revisions.confirm_stance(stance=stance, by=request.user)
                confirmed += 1
            except (PublishedReadOnly, annotating.NotOwner) as error:
                refused.append(error.message)
        for message in sorted(set(refused)):
            self.message_user(request, message, messages.WARNING)
        self.message_user(request, f"{confirmed} stance(s) confirmed: they count again.")

    search_fields = ["claim__quote", "proposition__text", "note"]
    ordering = ["-pk"]  # as for claims: the model's order joins every stance to its source
    sortable_by = []
    autocomplete_fields = ["claim", "proposition", "annotator"]

    readonly_fields = ["annotator", "needs_recheck"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_delete_permission(self, request, obj=None) -> bool:
        if _published(getattr(obj, "claim", None)):
            return False
        if obj is not None and obj.annotator_id != request.user.pk:
            return super().has_delete_permission(request, obj) and (
                annotating.may_change_any_stance(request.user)
            )
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj: Stance, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            stance = annotating.set_stance(
                stance=Stance.objects.select_related("annotator").get(pk=obj.pk),
                version=form.checked_version,
                by=request.user,
                label=data["label"],
                proposition=data["proposition"],
                note=data.get("note", ""),
            )
        else:
            stance = annotating.add_stance(
                claim=data["claim"],
                proposition=data["proposition"],
                label=data["label"],
                note=data.get("note", ""),
                by=request.user,
            )
        obj.pk, obj.version, obj.annotator = stance.pk, stance.version, stance.annotator
        obj._state.adding = False

    def delete_model(self, request, obj: Stance) -> None:
        annotating.remove_stance(stance=obj, version=None, by=request.user)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Another annotator's stance among them: the whole removal is refused (the admin then
        # says which permission is missing, and deletes nothing).
        if not annotating.may_change_any_stance(request.user) and any(
            stance.annotator_id != request.user.pk for stance in objs
        ):
            perms_needed = {*perms_needed, "other annotators' stances"}
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request, queryset) -> None:
        for stance in queryset.select_related("annotator"):
            annotating.remove_stance(stance=stance, version=None, by=request.user)

    @admin.display(description="Claim")
    def claim_quote(self, obj: Stance) -> str:
        return format_html("{}{}", shorten(obj.claim.quote, 70), self.seen_marker(obj))

    @admin.display(description="Source")
    def source(self, obj: Stance) -> str:
        return obj.claim.source.title
