"""Admin for topics, actors and propositions."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims import publishing
from claims.models import Actor, Claim, ConfirmedSilence, Proposition, Stance, Topic
from claims.propositions import NearDuplicateError, check_distinct
from claims.selectors import count_per_row

from .base import HistoryAdmin, ModelAdmin, shorten
from .locking import VersionedForm


class PublicWordingForm(forms.ModelForm):
    """Refuses an editor's change to the wording of vocabulary that published material uses
    (claims.publishing.check_rewording); the admin sets `user` on the form class."""

    user = None

    def clean(self):
        data = super().clean()
        field_name, _ = publishing.WORDING[self._meta.model._meta.model_name]
        if field_name in data and field_name not in self.errors:
            try:
                publishing.check_rewording(
                    instance=self.instance, wording=data[field_name], by=self.user
                )
            except publishing.NotAllowed as error:
                self.add_error(field_name, str(error).split(": ", 1)[1])
        return data


class PublicWordingAdmin:
    """Hands the signed-in user to the form, for the wording rule."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})


@admin.register(Topic)
class TopicAdmin(PublicWordingAdmin, ModelAdmin):
    form = PublicWordingForm
    list_display = ["name", "parent", "proposition_count"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def annotate_page(self, rows) -> None:
        count_per_row(rows, Proposition.topics.through.objects.all(), "topic", "_propositions")

    @admin.display(description="Propositions")
    def proposition_count(self, obj: Topic) -> int:
        return obj._propositions


@admin.register(Actor)
class ActorAdmin(PublicWordingAdmin, ModelAdmin):
    form = PublicWordingForm
    list_display = ["name", "kind", "wikidata_id", "claim_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}

    def annotate_page(self, rows) -> None:
        count_per_row(rows, Claim.actors.through.objects.all(), "actor", "_claims")

    @admin.display(description="Claims naming them")
    def claim_count(self, obj: Actor) -> int:
        return obj._claims


class PropositionForm(PublicWordingForm, VersionedForm):
    """Refuses, until confirmed, a wording close to an existing proposition, and lists the
    near-duplicates with a link to each ("use this one")."""

    confirm_distinct = forms.BooleanField(
        required=False,
        label="It says something else",
        help_text="Save although existing propositions are worded closely.",
    )

    class Meta:
        model = Proposition
        fields = ["text", "slug", "topics", "notes"]

    def clean(self):
        data = super().clean()
        text = data.get("text")
        if text and (self.instance.pk is None or text != self.instance.text):
            try:
                check_distinct(
                    text=text,
                    exclude=self.instance.pk,
                    confirmed=bool(data.get("confirm_distinct")),
                )
            except NearDuplicateError as error:
                links = format_html_join(
                    " ",
                    '<a href="{}">Use this one: “{}”</a> ({}% alike).',
                    (
                        (
                            reverse("admin:claims_proposition_change", args=[c.proposition.pk]),
                            c.proposition.text,
                            round(c.similarity * 100),
                        )
                        for c in error.candidates
                    ),
                )
                self.add_error(
                    "text",
                    format_html(
                        "Close to existing propositions. {} Or tick “It says something "
                        "else” to save it anyway.",
                        links,
                    ),
                )
        return data


@admin.register(Proposition)
class PropositionAdmin(PublicWordingAdmin, HistoryAdmin):
    form = PropositionForm
    list_display = ["short_text", "slug", "topic_list", "stance_count"]
    list_filter = ["topics"]
    search_fields = ["text", "slug", "notes"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = ["topics"]
    readonly_fields = ["created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def annotate_page(self, rows) -> None:
        count_per_row(rows, Stance.objects.all(), "proposition", "_stances")

    @admin.display(description="Proposition", ordering="text")
    def short_text(self, obj: Proposition) -> str:
        return shorten(obj.text)

    @admin.display(description="Topics")
    def topic_list(self, obj: Proposition) -> str:
        return ", ".join(topic.name for topic in obj.topics.all()) or "—"

    @admin.display(description="Stances")
    def stance_count(self, obj: Proposition) -> int:
        return obj._stances

    def save_model(self, request, obj: Proposition, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ConfirmedSilence)
class ConfirmedSilenceAdmin(HistoryAdmin):
    list_display = ["source", "short_proposition", "confirmed_by", "confirmed_at"]
    list_select_related = ["source", "proposition", "confirmed_by"]
    raw_id_fields = ["source", "proposition"]
    readonly_fields = ["confirmed_by", "confirmed_at"]
    fields = ["source", "proposition", "note", "confirmed_by", "confirmed_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("source__body", "source__blocks", "source__provenance")
        )

    @admin.display(description="Proposition", ordering="proposition__text")
    def short_proposition(self, obj: ConfirmedSilence) -> str:
        return shorten(obj.proposition.text)

    def save_model(self, request, obj: ConfirmedSilence, form, change: bool) -> None:
        if not change:
            obj.confirmed_by = request.user
        super().save_model(request, obj, form, change)
