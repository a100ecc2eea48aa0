"""Admin for background jobs: start one, watch its progress, cancel it, fetch its result."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from claims import jobs
from claims.models import Job, JobKind

from .base import ModelAdmin


class StartJobForm(forms.ModelForm):
    """Only the kind is chosen; everything else is the job's own record."""

    class Meta:
        model = Job
        fields = ["kind"]

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        try:
            jobs.check_may_start(kind=kind, by=self.user)
        except (PermissionDenied, jobs.JobError) as error:
            raise forms.ValidationError(str(error)) from None
        return kind


@admin.register(Job)
class JobAdmin(ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "created_by", "created", "finished"]
    list_filter = ["status", "kind"]
    list_select_related = ["created_by"]
    date_hierarchy = "created"
    actions = ["cancel_jobs"]
    fields = [
        "kind",
        "status",
        "progress",
        "result_link",
        "error",
        "attempts",
        "worker",
        "created_by",
        "cancelled_by",
        "created",
        "started",
        "heartbeat",
        "finished",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            # A class per request: the user must not be shared between concurrent requests.
            return type("StartJobForm", (StartJobForm,), {"user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        # A job is changed only by cancelling it (the action, which needs this permission on the
        # list); its own page is for reading.
        return obj is None and super().has_change_permission(request)

    def get_fields(self, request, obj=None):
        return ["kind"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        job = jobs.start_job(
            kind=form.cleaned_data["kind"],
            by=request.user,
            site_url=request.build_absolute_uri("/")[:-1],
        )
        obj.pk = job.pk
        obj._state.adding = False

    @admin.display(description="Progress")
    def progress(self, job: Job) -> str:
        if job.total is None:
            return f"{job.done:,}" if job.done else "–"
        return f"{job.done:,} / {job.total:,} ({job.percent}%)"

    @admin.display(description="Result")
    def result_link(self, job: Job) -> str:
        if job.status != "done" or not job.result or job.kind == JobKind.REBUILD_SUMMARIES:
            return "–"
        url = reverse("api:job-download", kwargs={"pk": job.pk})
        return format_html('<a href="{}">Download {}</a>', url, jobs.RESULT_NAMES[job.kind])

    @admin.action(description="Cancel the selected jobs", permissions=["change"])
    def cancel_jobs(self, request, queryset) -> None:
        cancelled = skipped = 0
        for job in queryset:
            try:
                jobs.cancel_job(job=job, by=request.user)
                cancelled += 1
            except jobs.JobError:
                skipped += 1
        if cancelled:
            self.message_user(request, f"{cancelled} job(s) cancelled.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} job(s) had already finished.", messages.WARNING)
