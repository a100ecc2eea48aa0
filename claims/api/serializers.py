"""API representations. Reads embed what a client needs in one request; claim and stance writes
go through claims.annotating, the same services the admin and the annotation screen call.
Claims and stances are shown through one output path, claims.api.rows, wherever they appear."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS

from claims import annotating
from claims.models import (
    Actor,
    Author,
    Authorship,
    Claim,
    Proposition,
    Publisher,
    Source,
    Stance,
    Topic,
)
from claims.positions import POSITION_LABELS, divergence
from claims.references import check_id, check_slug

from . import rows
from .errors import as_api_error
from .links import IdentityLink, RelatedLink
from .positions import PositionSerializer, position_data

MAX_OFFSET = 2**31 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise serializers.ValidationError("NUL characters are not allowed.")
    return value


class StrictStringMixin:
    """Text fields take only JSON strings (DRF would turn 0 or true into "0", "True") and
    refuse NUL bytes (PostgreSQL cannot store them)."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators.append(_no_nul)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class CleanCharField(StrictStringMixin, serializers.CharField):
    pass


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}],
        "description": "A URL, or an empty string when there is none.",
    }
)
class OptionalURLField(StrictStringMixin, serializers.URLField):
    """A URL that may be blank: the schema says so, so that "" is not taken for a bad URI."""


_STRICT: dict[type, type] = {serializers.CharField: CleanCharField}


def strict(field_class: type) -> type:
    """The strict-string version of a DRF text field class (CharField, SlugField, …)."""
    if issubclass(field_class, StrictStringMixin):
        return field_class
    if field_class not in _STRICT:
        _STRICT[field_class] = type(
            f"Strict{field_class.__name__}", (StrictStringMixin, field_class), {}
        )
    return _STRICT[field_class]


class StrictBooleanField(serializers.BooleanField):
    """true or false as JSON booleans: 0, 1 and "yes" are mistakes, not answers."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A list of references that must be a JSON list (DRF would iterate a string or an
    object's keys)."""

    default_error_messages = {"not_a_list": "Expected a list of slugs."}

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        return super().to_internal_value(data)


class SlugRelatedField(serializers.SlugRelatedField):
    """SlugRelatedField whose many=True form is a StrictManyRelatedField, and whose values are
    checked as slugs (claims.references) before they are looked up."""

    def to_internal_value(self, data):
        try:
            check_slug(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return super().to_internal_value(data)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({k: v for k, v in kwargs.items() if k in MANY_RELATION_KWARGS})
        return StrictManyRelatedField(**list_kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id, checked as an id (claims.references) before it is looked up."""

    def to_internal_value(self, data):
        try:
            check_id(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return super().to_internal_value(data)


class BaseSerializer(serializers.ModelSerializer):
    """Model text fields take only strings without NUL bytes everywhere in the API."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializers.URLField and model_field.blank:
            field_class = OptionalURLField
        elif issubclass(field_class, serializers.CharField):
            field_class = strict(field_class)
        return field_class, kwargs


class PublisherBriefSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:publisher-detail", lookup_field="slug")

    class Meta:
        model = Publisher
        fields = ["url", "slug", "name"]


class PublisherSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:publisher-detail", lookup_field="slug")
    source_count = serializers.IntegerField(read_only=True, help_text="Visible sources only.")

    class Meta:
        model = Publisher
        fields = [
            "url",
            "slug",
            "name",
            "kind",
            "homepage",
            "country",
            "language",
            "description",
            "source_count",
            "created",
            "modified",
        ]


class AuthorSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:author-detail", lookup_field="slug")

    class Meta:
        model = Author
        fields = ["url", "slug", "name", "bio", "homepage", "created", "modified"]


class AuthorshipSerializer(serializers.ModelSerializer):
    url = RelatedLink(
        source="author", view_name="api:author-detail", lookup_field="slug", read_only=True
    )
    slug = serializers.CharField(source="author.slug", read_only=True)
    name = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = Authorship
        fields = ["url", "slug", "name", "role"]


class TopicSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:topic-detail", lookup_field="slug")
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Topic
        fields = ["url", "slug", "name", "description", "parent", "created", "modified"]


class ActorSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:actor-detail", lookup_field="slug")

    class Meta:
        model = Actor
        fields = ["url", "slug", "name", "kind", "wikidata_id", "created", "modified"]


class PropositionBriefSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:proposition-detail", lookup_field="slug")

    class Meta:
        model = Proposition
        fields = ["url", "slug", "text"]


class SourcePositionSerializer(PositionSerializer):
    source = serializers.SlugField(help_text="Slug of the source.")
    position = serializers.ChoiceField(
        choices=list(POSITION_LABELS),
        allow_null=True,
        help_text="The graded label again (kept for clients written before the evidence).",
    )


class PropositionSerializer(BaseSerializer):
    """A proposition with the position of every visible source that takes one."""

    url = IdentityLink(view_name="api:proposition-detail", lookup_field="slug")
    topics = SlugRelatedField(
        slug_field="slug", many=True, queryset=Topic.objects.all(), required=False
    )
    positions = serializers.SerializerMethodField()
    divergence = serializers.SerializerMethodField()
    confirm_distinct = StrictBooleanField(
        write_only=True,
        default=False,
        help_text="Create (or reword) even though the wording is close to existing "
        "propositions: without it such a write gets 409 with the candidates.",
    )

    class Meta:
        model = Proposition
        fields = [
            "url",
            "slug",
            "text",
            "topics",
            "notes",
            "positions",
            "divergence",
            "created",
            "modified",
            "confirm_distinct",
        ]

    @extend_schema_field(SourcePositionSerializer(many=True))
    def get_positions(self, obj: Proposition) -> list[dict]:
        by_source = self.context.get("positions", {}).get(obj.pk, {})
        slugs = self.context.get("source_slugs", {})
        return [
            {"source": slugs[source], "position": held.label, **position_data(held)}
            for source, held in sorted(by_source.items(), key=lambda item: slugs[item[0]])
        ]

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_divergence(self, obj: Proposition) -> float:
        held = self.context.get("positions", {}).get(obj.pk, {}).values()
        return round(divergence([p.label for p in held if p.label is not None]), 4)


class StanceBriefSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:stance-detail")
    proposition = PropositionBriefSerializer(read_only=True)
    annotator = serializers.CharField(source="annotator.username", read_only=True)

    class Meta:
        model = Stance
        fields = ["id", "url", "proposition", "label", "annotator", "note"]


def shown_claims(pks: list[int], context: dict) -> list[dict]:
    """The representations of the claims `pks`, in that order."""
    stances = context.get("stances", Stance.objects.published())
    shown = {
        row["id"]: row
        for row in rows.claims_of(
            Claim.objects.filter(pk__in=pks), context.get("request"), stances=stances
        )
    }
    return [shown[pk] for pk in pks]


class ClaimListSerializer(serializers.ListSerializer):
    """Many claims in one batch of queries (claims.api.rows)."""

    def to_representation(self, data) -> list[dict]:
        items = data.all() if hasattr(data, "all") else data
        return shown_claims([item.pk for item in items], self.child.context)


class ClaimSerializer(BaseSerializer):
    """A claim: a span of its source's text. Send `source`, `start`, `end` (code points) and
    `quote`; or `source` and `quote` alone when the words occur once in the text. The server
    takes the quote and its context from the text itself."""

    url = IdentityLink(view_name="api:claim-detail")
    source = SlugRelatedField(slug_field="slug", queryset=Source.objects.none())
    start = serializers.IntegerField(
        min_value=0,
        max_value=MAX_OFFSET,
        required=False,
        help_text="Code points from the start of the text. Required, with `end`, unless `quote` "
        "occurs exactly once in the text (the server then finds it).",
    )
    end = serializers.IntegerField(min_value=1, max_value=MAX_OFFSET, required=False)
    quote = CleanCharField(
        required=False,
        trim_whitespace=False,
        help_text="The words of the span; must equal the text there. Required to create a "
        'claim unless `anchor` is "offsets".',
    )
    anchor = serializers.ChoiceField(
        choices=["quote", "offsets"],
        required=False,
        write_only=True,
        help_text='"offsets" creates a claim from `start` and `end` alone, without `quote` '
        '(the server then takes the words from the text); the default is "quote".',
    )
    speaker = SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False, allow_null=True
    )
    actors = SlugRelatedField(
        slug_field="slug", many=True, queryset=Actor.objects.all(), required=False
    )
    stances = StanceBriefSerializer(many=True, read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "url",
            "source",
            "start",
            "end",
            "quote",
            "anchor",
            "prefix",
            "suffix",
            "kind",
            "attribution",
            "speaker",
            "actors",
            "note",
            "anchor_state",
            "stances",
            "created_by",
            "created",
            "modified",
        ]
        read_only_fields = ["prefix", "suffix", "anchor_state"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Writes may target any source the client may see (editors see drafts too).
        self.fields["source"].queryset = self.context.get("sources", Source.objects.none())

    @classmethod
    def many_init(cls, *args, **kwargs):
        kwargs.setdefault("child", cls(*args, **{**kwargs, "many": False}))
        return ClaimListSerializer(*args, **kwargs)

    def to_representation(self, instance: Claim) -> dict:
        """The claim as every answer shows it (claims.api.rows), with the stances the client
        may see (the view's `stances`; published ones by default)."""
        return shown_claims([instance.pk], self.context)[0]

    def validate(self, attrs: dict) -> dict:
        # Offsets alone say nothing about which words were meant: a client that sends no quote
        # must say that it means the offsets, or a span computed on another text is stored on
        # whatever words sit there.
        if (
            self.instance is None
            and "quote" not in attrs
            and attrs.pop("anchor", "quote") != "offsets"
        ):
            raise serializers.ValidationError(
                {
                    "quote": 'required: send the words of the span, or "anchor": "offsets" to '
                    "create the claim from start and end alone"
                }
            )
        attrs.pop("anchor", None)
        if self.instance is None:
            self._place(attrs)
        span_fields = {"source", "start", "end", "quote"}
        if self.instance is not None and not span_fields & set(attrs):
            # Only kind, attribution, speaker, actors or note change: the span stays as it is
            # (an orphaned claim stays orphaned until someone gives it new offsets).
            return attrs
        source = attrs.get("source", getattr(self.instance, "source", None))
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        try:
            annotating.anchor_span(source=source, start=start, end=end, quote=attrs.get("quote"))
        except annotating.ServiceError as error:
            raise serializers.ValidationError({error.field: error.message}) from None
        return attrs

    @staticmethod
    def _place(attrs: dict) -> None:
        """A new claim's offsets: as sent, or found from its quote when neither is sent."""
        given = [name for name in ("start", "end") if name in attrs]
        if len(given) == 1:
            missing = "end" if given == ["start"] else "start"
            raise serializers.ValidationError({missing: f"required with `{given[0]}`"})
        if given:
            return
        if "quote" not in attrs:
            raise serializers.ValidationError(
                {"start": "required: send start and end, or a quote that occurs once in the text"}
            )
        try:
            anchor = annotating.locate_span(source=attrs["source"], quote=attrs["quote"])
        except annotating.ServiceError as error:
            raise serializers.ValidationError({error.field: error.message}) from None
        attrs["start"], attrs["end"] = anchor.start, anchor.end

    # Writes go through claims.annotating, which checks the span again inside the transaction,
    # and the version (the view has matched If-Match against the row it locked).

    def create(self, validated_data: dict) -> Claim:
        try:
            return annotating.create_claim(by=self.context["request"].user, **validated_data)
        except annotating.ServiceError as error:
            raise as_api_error(error) from None

    def update(self, instance: Claim, validated_data: dict) -> Claim:
        if "source" in validated_data and validated_data["source"].pk != instance.source_id:
            raise serializers.ValidationError(
                {"source": "a claim stays on its source; delete it and create a new one"}
            )
        validated_data.pop("source", None)
        try:
            return annotating.update_claim(
                claim=instance,
                version=instance.version,
                by=self.context["request"].user,
                **validated_data,
            )
        except annotating.ServiceError as error:
            raise as_api_error(error) from None


class StanceSerializer(BaseSerializer):
    url = IdentityLink(view_name="api:stance-detail")
    claim = IdRelatedField(queryset=Claim.objects.none())
    proposition = SlugRelatedField(slug_field="slug", queryset=Proposition.objects.all())
    annotator = serializers.CharField(source="annotator.username", read_only=True)

    class Meta:
        model = Stance
        fields = [
            "id",
            "url",
            "claim",
            "proposition",
            "label",
            "annotator",
            "note",
            "created",
            "modified",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claim"].queryset = self.context.get("claims", Claim.objects.none())

    def to_representation(self, instance: Stance) -> dict:
        """The stance as every answer shows it (claims.api.rows)."""
        found = Stance.objects.filter(pk=instance.pk)
        return rows.stances_of(found, self.context.get("request"))[0]

    def validate(self, attrs: dict) -> dict:
        user = self.context["request"].user
        named = self.initial_data.get("annotator") if isinstance(self.initial_data, dict) else None
        if self.instance is None and named not in (None, user.get_username()):
            raise serializers.ValidationError(
                {"annotator": "a stance is always the requesting user's own"}
            )
        claim = attrs.get("claim", getattr(self.instance, "claim", None))
        proposition = attrs.get("proposition", getattr(self.instance, "proposition", None))
        annotator = self.instance.annotator if self.instance else user
        try:
            annotating.check_no_duplicate(
                claim=claim,
                proposition=proposition,
                annotator=annotator,
                exclude=getattr(self.instance, "pk", None),
            )
        except annotating.ServiceError as error:
            raise serializers.ValidationError({error.field: error.message}) from None
        return attrs

    def create(self, validated_data: dict) -> Stance:
        try:
            return annotating.add_stance(by=self.context["request"].user, **validated_data)
        except annotating.ServiceError as error:
            raise as_api_error(error) from None

    def update(self, instance: Stance, validated_data: dict) -> Stance:
        if "claim" in validated_data and validated_data["claim"].pk != instance.claim_id:
            raise serializers.ValidationError(
                {"claim": "a stance stays on its claim; delete it and create a new one"}
            )
        validated_data.pop("claim", None)
        try:
            return annotating.set_stance(
                stance=instance,
                version=instance.version,
                by=self.context["request"].user,
                **validated_data,
            )
        except annotating.ServiceError as error:
            raise as_api_error(error) from None


class ReviewMoveSerializer(serializers.Serializer):
    """The body of a workflow move: a note for the trail (the comment, when returning)."""

    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="For the review trail; required when returning a source to its editor.",
    )

    def validate(self, attrs: dict) -> dict:
        if self.context.get("requires_comment") and not attrs.get("note", "").strip():
            raise serializers.ValidationError({"note": "say what the editor should change"})
        return attrs


class SourceSerializer(BaseSerializer):
    """A source as listed: metadata without the text."""

    url = IdentityLink(view_name="api:source-detail", lookup_field="slug")
    publisher = PublisherBriefSerializer(read_only=True, allow_null=True)
    authors = AuthorshipSerializer(source="authorships", many=True, read_only=True)
    original_url = OptionalURLField(source="url", read_only=True)
    page = serializers.SerializerMethodField(help_text="The public reading view.")
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "url",
            "slug",
            "title",
            "title_supplied",
            "publisher",
            "authors",
            "original_url",
            "page",
            "published_on",
            "language",
            "translated_from",
            "status",
            "published_at",
            "claim_count",
            "created",
            "modified",
        ]
        # Publication state moves through the workflow endpoints (claims.publishing) only.
        read_only_fields = ["status", "published_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_page(self, obj: Source) -> str:
        request = self.context.get("request")
        path = f"/sources/{obj.slug}/"
        return request.build_absolute_uri(path) if request else path


class SourceDetailSerializer(SourceSerializer):
    """A source with its text, layout and every claim with its stances."""

    claims = serializers.SerializerMethodField()

    @extend_schema_field(ClaimSerializer(many=True, read_only=True))
    def get_claims(self, obj: Source) -> list[dict]:
        """The claims the client may see (the view's `claims`), in the order of the text."""
        visible = self.context.get("claims", Claim.objects.published())
        claims = visible.filter(source=obj).order_by("start", "end", "pk")
        stances = self.context.get("stances", Stance.objects.published())
        return rows.claims_of(claims, self.context.get("request"), stances=stances)

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "body", "body_sha256", "blocks", "claims"]
