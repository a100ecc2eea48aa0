"""/api/v1/jobs/: start whole-corpus exports (and, for reviewers, summary rebuilds) as
background jobs, follow their progress, cancel them, download the result.

Staff only, except the download of a finished export: an export holds published material
only, exactly what /api/v1/exports/ gives anyone, so its file is as public as that export.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from claims import jobs
from claims.models import Job, JobKind, JobStatus

from .links import link, site_url
from .pagination import PageNumberPagination
from .schema import ERRORS, ErrorSerializer
from .views import ID_PATTERN


class IsStaff(BasePermission):
    """Signed-in staff (editors, reviewers, administrators)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class JobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "done",
            "total",
            "percent",
            "download",
            "error",
            "attempts",
            "created_by",
            "created",
            "started",
            "finished",
        ]
        read_only_fields = fields

    def get_url(self, job: Job) -> str:
        return link(self.context["request"], "api:job-detail", job.pk)

    def get_created_by(self, job: Job) -> str | None:
        return job.created_by.username if job.created_by else None

    def get_download(self, job: Job) -> str | None:
        """Where to fetch the result once the export is done."""
        if job.status != JobStatus.DONE or not job.result:
            return None
        return link(self.context["request"], "api:job-download", job.pk)


class StartJobSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=JobKind.choices)


@extend_schema_view(
    list=extend_schema(summary="List background jobs (staff)"),
    retrieve=extend_schema(summary="A background job, with its progress (staff)"),
    create=extend_schema(
        summary="Start a job: a whole-corpus export, or a summary rebuild (reviewers)",
        request=StartJobSerializer,
        responses={202: JobSerializer},
    ),
)
class JobViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Background jobs: progress, cancellation and results."""

    serializer_class = JobSerializer
    pagination_class = PageNumberPagination
    lookup_value_regex = ID_PATTERN
    filter_backends: list = []

    def get_permissions(self):
        if self.action == "download":
            return [AllowAny()]
        return [IsStaff()]

    def get_queryset(self):
        # created_by is printed on every row: joined, not fetched per job.
        return Job.objects.select_related("created_by").order_by("-created", "-pk")

    def create(self, request, *args, **kwargs):
        incoming = StartJobSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            job = jobs.start_job(
                kind=incoming.validated_data["kind"],
                by=request.user,
                site_url=site_url(request, ""),
            )
        except jobs.JobError as error:
            raise ValidationError({"kind": [str(error)]}) from None
        job = self.get_queryset().get(pk=job.pk)
        body = JobSerializer(job, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        summary="Cancel a queued or running job",
        request=None,
        responses={
            200: JobSerializer,
            404: OpenApiResponse(ErrorSerializer, description=ERRORS[404]),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        try:
            job = jobs.cancel_job(job=job, by=request.user)
        except jobs.JobError as error:
            raise ValidationError({"status": [str(error)]}) from None
        job = self.get_queryset().get(pk=job.pk)
        return Response(JobSerializer(job, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Download a finished export",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = Job.objects.filter(pk=pk, status=JobStatus.DONE).exclude(result="").first()
        if job is None or not job.is_export:
            raise NotFound("No finished export with this id.")
        try:
            handle = job.result.open("rb")
        except FileNotFoundError:
            raise NotFound("The export's file is gone; start the export again.") from None
        filename = jobs.RESULT_NAMES[job.kind]
        content_type = (
            "application/ld+json" if job.kind == JobKind.EXPORT_ANNOTATIONS else "text/csv"
        )
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
