"""API v1 resources.

Each `get_queryset` is written on purpose: it starts from what the requesting user may see
(published only, unless they hold editor permissions), and joins or prefetches exactly what its
serializer reads, so that query counts stay flat however many rows a page holds.
"""

from __future__ import annotations

from csp.constants import SELF
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import exceptions, routers, status, viewsets
from rest_framework import serializers as rest_serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from claims import annotating, freshness, publishing, revisions
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
from claims.propositions import NearDuplicateError, check_distinct
from claims.selectors import count_per_row, positions_for
from claims.visibility import public_actors, public_topic_ids

from . import filters, rows, serializers
from .backends import StrictFilterBackend, StrictOrderingFilter
from .caching import CachedReadMixin, cached_answer
from .conditional import ConditionalReadMixin, ConditionalWriteMixin
from .errors import Conflict, NearDuplicate, as_api_error
from .pagination import CursorPagination
from .permissions import sees_drafts
from .positions import voice_of

# Ids in URLs: digits that fit a 64-bit column; anything else is a 404 before any query runs.
ID_PATTERN = "[0-9]{1,18}"


class BrowsableCSPMixin:
    """The browsable API's own templates position a few buttons with style attributes: allow
    inline styles on those HTML pages only (scripts stay restricted)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        if renderer is not None and renderer.format == "api":
            response._csp_replace = {"style-src": [SELF, "'unsafe-inline'"]}
        return response


class APIRootView(BrowsableCSPMixin, routers.APIRootView):
    """The resources of API v1. Anonymous clients read published material; writes need a token
    (`Authorization: Token …`) and the same permissions as in the admin."""


class V1Mixin(CachedReadMixin, BrowsableCSPMixin):
    """Settings shared by every v1 resource; anonymous reads are cached (claims.api.caching)."""

    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: list[str] = []

    @property
    def drafts_visible(self) -> bool:
        return sees_drafts(self.request.user)

    def visible_sources(self):
        return Source.objects.all() if self.drafts_visible else Source.objects.published()

    def visible_claims(self):
        """Claims of the visible sources, as a join on the source's status (an IN list of every
        published source would be hashed on every request)."""
        if not self.drafts_visible:
            return Claim.objects.published()
        # Editors see drafts, less what a blind reading hides from them.
        return Claim.objects.visible_to(self.request.user)

    def visible_stances(self):
        if not self.drafts_visible:
            return Stance.objects.published()
        return Stance.objects.visible_to(self.request.user)


class PageCountsMixin:
    """Counts shown beside each row (a publisher's sources, a source's claims), worked out once
    the page is cut, in one grouped query for its rows: a count per row in the list's own
    query would be computed for every row an OFFSET skips too. `page_counts` maps each
    attribute to the rows it counts and the field of those that points at the listed row."""

    def page_counts(self) -> dict[str, tuple[QuerySet, str]]:
        return {}

    def _counted(self, rows):
        rows = list(rows)
        for attribute, (counted, field) in self.page_counts().items():
            count_per_row(rows, counted, field, attribute)
        return rows

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else self._counted(page)

    def get_object(self):
        obj = super().get_object()
        self._counted([obj])
        return obj


@extend_schema_view(
    list=extend_schema(summary="List publishers", description="Outlets with visible sources."),
    retrieve=extend_schema(summary="A publisher"),
)
class PublisherViewSet(
    PageCountsMixin, V1Mixin, ConditionalReadMixin, viewsets.ReadOnlyModelViewSet
):
    """Outlets that publish the visible sources."""

    serializer_class = serializers.PublisherSerializer
    filterset_class = filters.PublisherFilter
    lookup_field = "slug"
    cache_kind = "publisher"
    ordering_fields = ["name", "created", "modified"]
    ordering = ["name"]

    def get_queryset(self):
        sources = self.visible_sources().filter(publisher=OuterRef("pk"))
        return Publisher.objects.filter(Exists(sources)).order_by("name")

    def page_counts(self):
        return {"source_count": (self.visible_sources(), "publisher")}


@extend_schema_view(
    list=extend_schema(summary="List authors"), retrieve=extend_schema(summary="An author")
)
class AuthorViewSet(V1Mixin, ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """People who wrote or translated the visible sources."""

    serializer_class = serializers.AuthorSerializer
    filterset_class = filters.AuthorFilter
    lookup_field = "slug"
    cache_kind = "author"
    ordering_fields = ["name", "created", "modified"]

    def get_queryset(self):
        visible = Authorship.objects.filter(
            author=OuterRef("pk"), source__in=self.visible_sources()
        )
        return Author.objects.filter(Exists(visible)).order_by("name")


@extend_schema_view(
    list=extend_schema(
        summary="List sources", description="Metadata only; the detail has the text and claims."
    ),
    retrieve=extend_schema(summary="A source with its text, claims and stances"),
)
class SourceViewSet(PageCountsMixin, V1Mixin, ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """Documents of the corpus. The detail embeds the text, its layout and every claim.

    `status` is read-only: a source moves through the workflow by POSTing to its `submit/`,
    `publish/`, `unpublish/` and `return/` endpoints, which go through `claims.publishing`
    (403 with the reason for a user who may not make the move)."""

    filterset_class = filters.SourceFilter
    lookup_field = "slug"
    cache_kind = "source"
    ordering_fields = ["published_on", "title", "created", "modified"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.SourceDetailSerializer
        return serializers.SourceSerializer

    def get_queryset(self):
        authorships = Authorship.objects.select_related("author").order_by("order")
        queryset = (
            self.visible_sources()
            .select_related("publisher")
            .prefetch_related(Prefetch("authorships", queryset=authorships))
            .order_by("-published_on", "title", "pk")
        )
        if self.action != "retrieve":
            queryset = queryset.defer("body", "blocks", "provenance")
        return queryset

    def get_serializer_context(self):
        # The detail embeds the claims the client may see, with the stances it may see.
        return {
            **super().get_serializer_context(),
            "claims": self.visible_claims(),
            "stances": self.visible_stances(),
        }

    def page_counts(self):
        # The claims a client may see: those its list of claims would give for the source.
        return {"claim_count": (self.visible_claims(), "source")}

    def get_permissions(self):
        if self.action in MOVES:
            # The workflow functions check the permission each move needs themselves.
            return [IsAuthenticated()]
        return super().get_permissions()

    def _move(self, request, function, **extra):
        serializer = serializers.ReviewMoveSerializer(
            data=request.data, context={"requires_comment": self.action == "return_to_editor"}
        )
        serializer.is_valid(raise_exception=True)
        note = serializer.validated_data.get("note", "")
        source = self.get_object()
        with transaction.atomic():
            try:
                if self.action == "return_to_editor":
                    moved = function(source=source, by=request.user, comment=note)
                else:
                    moved = function(source=source, by=request.user, note=note)
            except publishing.WorkflowError as error:
                raise rest_serializers.ValidationError({"status": [str(error)]}) from None
        # Publishing a working copy answers with the source it revises (the copy is gone).
        source = self.get_queryset().get(pk=moved.pk)
        return Response(serializers.SourceSerializer(source, context={"request": request}).data)

    @extend_schema(
        summary="Submit a source for review (editors and reviewers)",
        request=serializers.ReviewMoveSerializer,
        responses=serializers.SourceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, slug=None):
        return self._move(request, publishing.submit_for_review)

    @extend_schema(
        summary="Publish a source (reviewers)",
        request=serializers.ReviewMoveSerializer,
        responses=serializers.SourceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="publish")
    def publish(self, request, slug=None):
        return self._move(request, publishing.publish_source)

    @extend_schema(
        summary="Unpublish a source: back to draft (reviewers)",
        request=serializers.ReviewMoveSerializer,
        responses=serializers.SourceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="unpublish")
    def unpublish(self, request, slug=None):
        return self._move(request, publishing.unpublish_source)

    @extend_schema(
        summary="Return a source in review to its editor, with a comment (reviewers)",
        request=serializers.ReviewMoveSerializer,
        responses=serializers.SourceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_editor(self, request, slug=None):
        return self._move(request, publishing.return_to_editor)

    # --- Revisions: a published source changes through its working copy ------------------

    def _editor_source(self, permission: str) -> Source:
        if not self.request.user.has_perm(permission):
            raise exceptions.PermissionDenied("Only editors and reviewers may do this.")
        source = Source.objects.filter(slug=self.kwargs["slug"]).first()
        if source is None:
            raise exceptions.NotFound()
        return source

    def _revision_body(self, copy: Source) -> dict:
        return {
            "slug": copy.slug,
            "title": copy.title,
            "status": copy.status,
            "revision_of": copy.revision_of.slug if copy.revision_of_id else None,
            "url": self.request.build_absolute_uri(
                reverse("api:source-detail", kwargs={"slug": copy.slug})
            ),
            "changes": self.request.build_absolute_uri(
                reverse("api:source-changes", kwargs={"slug": copy.slug})
            ),
        }

    @extend_schema(
        summary="Make (or find) the working copy of a published source",
        description=(
            "A published source is read-only. Its working copy is a draft with the same text, "
            "claims and stances; edit it through the claim and stance endpoints, and a reviewer "
            "publishes it as the source's new revision. 201 when made, 200 when it existed."
        ),
        request=None,
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def revision(self, request, slug=None):
        source = self._editor_source("claims.change_source")
        existed = source.revision_of_id is not None or (
            Source.objects.filter(revision_of=source).exists()
        )
        try:
            copy = revisions.start_revision(source=source, by=request.user)
        except revisions.RevisionError as error:
            raise Conflict(str(error)) from None
        return Response(
            self._revision_body(copy),
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="What a working copy changes since the published revision",
        description=(
            "Word-level text changes (only the changed regions, with a few words of context), "
            "changed details, and claims and stances added, removed or changed. Given a "
            "published source, the changes of its working copy. Editors and reviewers only."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def changes(self, request, slug=None):
        source = self._editor_source("claims.view_source")
        if source.revision_of_id is None:
            copy = Source.objects.filter(revision_of=source).first()
            if copy is None:
                raise exceptions.NotFound(
                    "This source is not a working copy and has none: nothing has changed."
                )
            source = copy
        return Response(revisions.diff(source))


MOVES = {"submit", "publish", "unpublish", "return_to_editor"}


@extend_schema_view(
    list=extend_schema(summary="List topics"), retrieve=extend_schema(summary="A topic")
)
class TopicViewSet(V1Mixin, ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """Subject headings propositions are filed under."""

    serializer_class = serializers.TopicSerializer
    filterset_class = filters.TopicFilter
    lookup_field = "slug"
    cache_kind = "topic"
    ordering_fields = ["name", "created", "modified"]

    def get_queryset(self):
        topics = Topic.objects.select_related("parent").order_by("name")
        if self.drafts_visible or getattr(self, "swagger_fake_view", False):
            return topics
        # Topics only drafts use are not public (claims.selectors.public_topic_ids).
        return topics.filter(pk__in=public_topic_ids())


@extend_schema_view(
    list=extend_schema(summary="List actors"), retrieve=extend_schema(summary="An actor")
)
class ActorViewSet(V1Mixin, ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """States, people and organisations that claims name or quote."""

    serializer_class = serializers.ActorSerializer
    filterset_class = filters.ActorFilter
    lookup_field = "slug"
    ordering_fields = ["name", "created", "modified"]

    def get_queryset(self):
        actors = Actor.objects.all() if self.drafts_visible else public_actors()
        return actors.order_by("name")


@extend_schema_view(
    list=extend_schema(
        summary="List propositions",
        description=(
            "Each with the position of every source that addresses it (graded label, lean, "
            "quotes per label, quotes set aside) and its divergence (0 = all agree; weighed "
            "by how many sources take a side). `voice=all` counts every claim, not only the "
            "sources' own views."
        ),
    ),
    retrieve=extend_schema(summary="A proposition with source positions"),
    create=extend_schema(summary="Create a proposition"),
    update=extend_schema(summary="Replace a proposition (If-Match required)"),
    partial_update=extend_schema(summary="Change a proposition (If-Match required)"),
    destroy=extend_schema(summary="Delete a proposition (409 while stances use it)"),
)
class PropositionViewSet(V1Mixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """Canonical statements sources take positions on."""

    serializer_class = serializers.PropositionSerializer
    filterset_class = filters.PropositionFilter
    lookup_field = "slug"
    cache_kind = "proposition"
    ordering_fields = ["slug", "created", "modified"]

    def get_queryset(self):
        base = Proposition.objects.all() if self.drafts_visible else Proposition.objects.published()
        return base.prefetch_related("topics").order_by("slug")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["positions"] = getattr(self, "_positions", {})
        context["source_slugs"] = getattr(self, "_source_slugs", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._load_positions(page if page is not None else queryset)
        return page

    def get_object(self):
        obj = super().get_object()
        self._load_positions([obj])
        return obj

    def _load_positions(self, propositions) -> None:
        # Positions are those of published sources, the same numbers the public pages show.
        self._positions = positions_for((p.pk for p in propositions), voice=voice_of(self.request))
        source_ids = {s for by_source in self._positions.values() for s in by_source}
        self._source_slugs = dict(
            Source.objects.filter(pk__in=source_ids).values_list("pk", "slug")
        )

    def _check_distinct(self, serializer, exclude: int | None = None) -> None:
        data = serializer.validated_data
        confirmed = data.pop("confirm_distinct", False)
        if "text" not in data:
            return
        try:
            check_distinct(text=data["text"], exclude=exclude, confirmed=confirmed)
        except NearDuplicateError as error:
            raise NearDuplicate(
                str(error),
                [
                    {
                        "slug": c.proposition.slug,
                        "text": c.proposition.text,
                        "similarity": c.similarity,
                        "url": self.request.build_absolute_uri(
                            reverse("api:proposition-detail", args=[c.proposition.slug])
                        ),
                    }
                    for c in error.candidates
                ],
            ) from error

    @transaction.atomic
    def perform_create(self, serializer):
        self._check_distinct(serializer)
        serializer.save(created_by=self.request.user)

    @transaction.atomic
    def perform_update(self, serializer):
        text = serializer.validated_data.get("text")
        if text is not None:
            # Rewording a proposition that published stances use is a reviewer's act (403).
            publishing.check_rewording(
                instance=serializer.instance, wording=text, by=self.request.user
            )
        if text is not None and text == serializer.instance.text:
            serializer.validated_data.pop("confirm_distinct", None)
        else:
            self._check_distinct(serializer, exclude=serializer.instance.pk)
        super().perform_update(serializer)


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description=(
            "Cursor-paginated; filter by source, publisher, author, topic, proposition, stance "
            "label, kind, speaker, actor, dates, or `q`."
        ),
    ),
    retrieve=extend_schema(summary="A claim with its stances"),
    create=extend_schema(summary="Create a claim from a span of a source's text"),
    update=extend_schema(summary="Replace a claim (If-Match required)"),
    partial_update=extend_schema(summary="Change a claim (If-Match required)"),
    destroy=extend_schema(summary="Delete a claim and its stances (If-Match required)"),
)
class ClaimViewSet(V1Mixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """Spans of a source's text, each an assertion, with their stances."""

    serializer_class = serializers.ClaimSerializer
    filterset_class = filters.ClaimFilter
    lookup_value_regex = ID_PATTERN
    pagination_class = CursorPagination
    ordering_fields = ["id", "start", "created", "modified"]

    def get_queryset(self):
        # What a claim shows is read as rows (claims.api.rows), not from this instance.
        return self.visible_claims()

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "sources": self.visible_sources(),
            "stances": self.visible_stances(),
        }

    def list(self, request, *args, **kwargs):
        return cached_answer(request, self.list_rows, [freshness.OVERVIEW])

    def perform_destroy(self, instance: Claim) -> None:
        try:
            annotating.delete_claim(claim=instance, version=instance.version, by=self.request.user)
        except annotating.ServiceError as error:
            raise as_api_error(error) from None

    def list_rows(self, request):
        """The list from plain rows (claims.api.rows): the same output as the serializer."""
        visible = self.visible_claims()
        page = self.paginate_queryset(rows.claim_values(self.filter_queryset(visible)))
        results = rows.claims_page(page, request, stances=self.visible_stances())
        return self.get_paginated_response(results)


@extend_schema_view(
    list=extend_schema(summary="List stances"),
    retrieve=extend_schema(summary="A stance"),
    create=extend_schema(summary="Label a claim against a proposition"),
    update=extend_schema(summary="Replace a stance (If-Match required)"),
    partial_update=extend_schema(summary="Change a stance (If-Match required)"),
    destroy=extend_schema(summary="Delete a stance (If-Match required)"),
)
class StanceViewSet(V1Mixin, ConditionalWriteMixin, viewsets.ModelViewSet):
    """One annotator's label tying a claim to a proposition."""

    serializer_class = serializers.StanceSerializer
    filterset_class = filters.StanceFilter
    lookup_value_regex = ID_PATTERN
    pagination_class = CursorPagination
    ordering_fields = ["id", "created", "modified"]

    def get_queryset(self):
        return self.visible_stances().select_related("proposition", "annotator")

    def get_object(self):
        stance = super().get_object()
        if self.action in {"update", "partial_update", "destroy"}:
            # Another annotator's stance is refused before anything else is looked at.
            try:
                annotating.check_owner(stance=stance, user=self.request.user)
            except annotating.NotOwner as error:
                raise as_api_error(error) from None
        return stance

    def perform_destroy(self, instance: Stance) -> None:
        try:
            annotating.remove_stance(
                stance=instance, version=instance.version, by=self.request.user
            )
        except annotating.ServiceError as error:
            raise as_api_error(error) from None

    def list(self, request, *args, **kwargs):
        return cached_answer(request, self.list_rows, [freshness.OVERVIEW])

    def list_rows(self, request):
        """The list from plain rows (claims.api.rows): the same output as the serializer."""
        visible = self.visible_stances()
        page = self.paginate_queryset(rows.stance_values(self.filter_queryset(visible)))
        return self.get_paginated_response(rows.stances_page(page, request))

    def get_serializer_context(self):
        claims = self.visible_claims()
        return {**super().get_serializer_context(), "claims": claims}
