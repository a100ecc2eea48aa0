"""Deployment checks of the platform's own (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Login limits and API throttles count in the cache: each server process counting alone
    multiplies every limit by the number of processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("LocMemCache"):
        return [
            Warning(
                "The cache is local to each process, so login limits and API throttles are "
                "counted per process.",
                hint="Set REDIS_URL (redis://host:6379/0) so that all processes share one count.",
                id="claims.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def job_queue(app_configs, **kwargs):
    """Without a queue, a whole-corpus export started from the admin or the API runs inside
    the web request that started it."""
    if not settings.JOBS_REDIS_URL:
        return [
            Warning(
                "Background jobs have no queue: they run in the web process that starts them.",
                hint="Set JOBS_REDIS_URL (or REDIS_URL) and run `manage.py run_worker`.",
                id="claims.W002",
            )
        ]
    return []
