"""Admin for topics, actors and propositions."""

from django.contrib import admin
from django.db.models import Count

from claims.models import Actor, Proposition, Topic

from .base import HistoryAdmin, ModelAdmin, shorten
from .locking import VersionedForm


@admin.register(Topic)
class TopicAdmin(ModelAdmin):
    list_display = ["name", "parent", "proposition_count"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_propositions=Count("propositions"))

    @admin.display(description="Propositions", ordering="_propositions")
    def proposition_count(self, obj: Topic) -> int:
        return obj._propositions


@admin.register(Actor)
class ActorAdmin(ModelAdmin):
    list_display = ["name", "kind", "wikidata_id", "claim_count"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_claims=Count("claims"))

    @admin.display(description="Claims naming them", ordering="_claims")
    def claim_count(self, obj: Actor) -> int:
        return obj._claims


class PropositionForm(VersionedForm):
    class Meta:
        model = Proposition
        fields = ["text", "slug", "topics", "notes"]


@admin.register(Proposition)
class PropositionAdmin(HistoryAdmin):
    form = PropositionForm
    list_display = ["short_text", "slug", "topic_list", "stance_count"]
    list_filter = ["topics"]
    search_fields = ["text", "slug", "notes"]
    prepopulated_fields = {"slug": ["text"]}
    autocomplete_fields = ["topics"]
    readonly_fields = ["created_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_stances=Count("stances", distinct=True))
            .prefetch_related("topics")
        )

    @admin.display(description="Proposition", ordering="text")
    def short_text(self, obj: Proposition) -> str:
        return shorten(obj.text)

    @admin.display(description="Topics")
    def topic_list(self, obj: Proposition) -> str:
        return ", ".join(topic.name for topic in obj.topics.all()) or "—"

    @admin.display(description="Stances", ordering="_stances")
    def stance_count(self, obj: Proposition) -> int:
        return obj._stances

    def save_model(self, request, obj: Proposition, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
