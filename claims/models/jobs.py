"""Background jobs: long work (whole-corpus exports, rebuilds) run by a worker, with progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .base import choices_check


class JobKind(models.TextChoices):
    EXPORT_ANNOTATIONS = "export_annotations", "Export: Web Annotations (JSON-LD)"
    EXPORT_CSV = "export_csv", "Export: claims and stances (CSV)"
    REBUILD_SUMMARIES = "rebuild_summaries", "Rebuild proposition summaries"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# A job in one of these states will not change any more.
FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(models.Model):
    """One run of a long task. The row is the truth about it: the queue only carries its id.

    `heartbeat` is written with every progress report; a running job whose heartbeat is older
    than JOBS_STALE_SECONDS lost its worker and is queued again (`attempts` counts the runs).
    """

    kind = models.CharField(max_length=32, choices=JobKind.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveBigIntegerField(default=0, help_text="Items processed so far.")
    total = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Items to process, once known."
    )
    result = models.FileField(upload_to="exports/", blank=True, max_length=255)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site_url = models.CharField(
        max_length=200,
        blank=True,
        help_text="Scheme and host that links in an export point to (from the starting request).",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            choices_check("kind", JobKind, "job_kind_valid"),
            choices_check("status", JobStatus, "job_status_valid"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")),
                name="job_done_within_total",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "heartbeat"],
                name="job_unfinished",
                condition=Q(status__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int | None:
        """Progress as a whole percentage, when the total is known."""
        if not self.total:
            return 100 if self.status == JobStatus.DONE else None
        return min(100, self.done * 100 // self.total)

    @property
    def is_export(self) -> bool:
        return self.kind in (JobKind.EXPORT_ANNOTATIONS, JobKind.EXPORT_CSV)


@receiver(post_delete, sender=Job, dispatch_uid="job-result-file")
def _remove_result_file(sender, instance: Job, using: str, **kwargs) -> None:
    """A deleted job's export goes with it, once the deletion commits (from the admin, its
    bulk action or anywhere else: a queryset delete sends this too)."""
    if instance.result:
        storage, name = instance.result.storage, instance.result.name
        transaction.on_commit(lambda: storage.delete(name), using=using)
