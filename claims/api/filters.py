"""Query filters of the API, one FilterSet per resource. Parameters are declared here and only
here: an unknown parameter is an error (claims.api.backends), never silently ignored."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import extend_schema_field

from claims import search
from claims.models import Actor, Author, Claim, Proposition, Publisher, Source, Stance, Topic


class SearchFilter(filters.CharFilter):
    """`q`: full-text search (stored vectors on PostgreSQL, word matching on SQLite)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", "Full-text search: every word must match.")
        kwargs.setdefault("max_length", search.MAX_QUERY_LENGTH)
        super().__init__(**kwargs)

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if not value:
            return queryset
        # Only the condition: the list orders and pages itself (by id, with a cursor).
        return search.matches(queryset, value)


MAX_ID = 10**18 - 1


class IdField(forms.IntegerField):
    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number that fits the column (a larger one is a 400, not a database
    overflow)."""

    field_class = IdField


class ClaimFilter(filters.FilterSet):
    source = filters.CharFilter(field_name="source__slug", help_text="Source slug.")
    publisher = filters.CharFilter(
        field_name="source__publisher__slug", help_text="Publisher slug."
    )
    author = filters.CharFilter(method="by_author", help_text="Author slug.")
    topic = filters.CharFilter(
        method="by_topic", help_text="Topic slug (claims with a stance on one of its propositions)."
    )
    proposition = filters.CharFilter(method="by_proposition", help_text="Proposition slug.")
    label = filters.ChoiceFilter(
        choices=Stance.Label.choices,
        method="by_label",
        help_text="Claims with a stance of this label.",
    )
    kind = filters.ChoiceFilter(choices=Claim.Kind.choices)
    attribution = filters.ChoiceFilter(
        choices=Claim.Attribution.choices,
        help_text="Whose view: own, reported, counterpoint or background.",
    )
    speaker = filters.CharFilter(field_name="speaker__slug", help_text="Actor slug of the speaker.")
    actor = filters.CharFilter(method="by_actor", help_text="Actor slug mentioned in the claim.")
    published_after = filters.DateFilter(field_name="source__published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="source__published_on", lookup_expr="lte")
    anchor_state = filters.ChoiceFilter(choices=Claim._meta.get_field("anchor_state").choices)
    q = SearchFilter()

    class Meta:
        model = Claim
        fields: list[str] = []

    # Relations that multiply rows are matched with EXISTS, so a claim never appears twice.
    def _exists(self, queryset, model, **lookups):
        return queryset.filter(Exists(model.objects.filter(**lookups)))

    def by_author(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Source.authors.through.objects.filter(source=OuterRef("source"), author__slug=value)
            )
        )

    def by_topic(self, queryset, name, value):
        return self._exists(queryset, Stance, claim=OuterRef("pk"), proposition__topics__slug=value)

    def by_proposition(self, queryset, name, value):
        return self._exists(queryset, Stance, claim=OuterRef("pk"), proposition__slug=value)

    def by_label(self, queryset, name, value):
        return self._exists(queryset, Stance, claim=OuterRef("pk"), label=value)

    def by_actor(self, queryset, name, value):
        return self._exists(queryset, Claim.actors.through, claim=OuterRef("pk"), actor__slug=value)


class SourceFilter(filters.FilterSet):
    publisher = filters.CharFilter(field_name="publisher__slug", help_text="Publisher slug.")
    author = filters.CharFilter(method="by_author", help_text="Author slug.")
    topic = filters.CharFilter(
        method="by_topic", help_text="Topic slug: sources with a stance on one of its propositions."
    )
    language = filters.CharFilter(help_text="BCP 47 tag, e.g. en.")
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte")
    status = filters.ChoiceFilter(
        choices=Source.Status.choices, help_text="Only editors see drafts."
    )
    q = SearchFilter()

    class Meta:
        model = Source
        fields: list[str] = []

    def by_author(self, queryset, name, value):
        return queryset.filter(
            Exists(Source.authors.through.objects.filter(source=OuterRef("pk"), author__slug=value))
        )

    def by_topic(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Stance.objects.filter(claim__source=OuterRef("pk"), proposition__topics__slug=value)
            )
        )


class PropositionFilter(filters.FilterSet):
    topic = filters.CharFilter(field_name="topics__slug", distinct=True, help_text="Topic slug.")
    source = filters.CharFilter(
        method="by_source", help_text="Source slug: propositions it takes a position on."
    )
    q = SearchFilter()
    voice = filters.ChoiceFilter(
        choices=[("own", "own"), ("all", "all")],
        method="by_voice",
        help_text="Whose claims make the positions shown: own (default) or all.",
    )

    class Meta:
        model = Proposition
        fields: list[str] = []

    def by_voice(self, queryset, name, value):
        # Chooses how positions are worked out, not which propositions are listed.
        return queryset

    def by_source(self, queryset, name, value):
        return queryset.filter(
            Exists(Stance.objects.filter(proposition=OuterRef("pk"), claim__source__slug=value))
        )


class StanceFilter(filters.FilterSet):
    claim = IdFilter(field_name="claim_id", help_text="Claim id.")
    source = filters.CharFilter(field_name="claim__source__slug", help_text="Source slug.")
    proposition = filters.CharFilter(field_name="proposition__slug", help_text="Proposition slug.")
    label = filters.ChoiceFilter(choices=Stance.Label.choices)
    annotator = filters.CharFilter(field_name="annotator__username", help_text="Username.")

    class Meta:
        model = Stance
        fields: list[str] = []


class PublisherFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Publisher.Kind.choices)
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Name contains.")

    class Meta:
        model = Publisher
        fields: list[str] = []


class ActorFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Actor.Kind.choices)
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Name contains.")

    class Meta:
        model = Actor
        fields: list[str] = []


class AuthorFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Name contains.")

    class Meta:
        model = Author
        fields: list[str] = []


class TopicFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__slug", help_text="Slug of the parent topic.")
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", help_text="Name contains.")

    class Meta:
        model = Topic
        fields: list[str] = []
