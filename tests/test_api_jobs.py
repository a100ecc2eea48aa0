"""/api/v1/jobs/ and the jobs admin: who may start, see and cancel jobs, and in what shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import jobs
from claims.models import Job, JobKind, JobStatus

from .api_helpers import client_for, count_queries, error_message
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_process(settings, tmp_path):
    """No queue: a started job runs when its transaction commits (what these tests look at is
    the API around it; tests/test_jobs.py covers the queue)."""
    settings.JOBS_REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path


def make_jobs(user, n: int) -> None:
    Job.objects.bulk_create(
        Job(kind=JobKind.EXPORT_CSV, status=JobStatus.QUEUED, created_by=user) for _ in range(n)
    )


def test_staff_start_an_export_and_follow_it_to_its_download(
    editor, django_capture_on_commit_callbacks
):
    client = client_for(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/jobs/", {"kind": "export_annotations"}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["kind"] == "export_annotations"
    assert response["Location"] == body["url"]
    detail = client.get(body["url"]).json()
    assert detail["status"] == "done" and detail["percent"] == 100
    assert detail["done"] == detail["total"] > 0
    assert detail["created_by"] == "alice"
    assert detail["download"].endswith(f"/api/v1/jobs/{body['id']}/download/")
    assert client_for().get(detail["download"]).status_code == 200


@pytest.mark.parametrize("method,path", [("get", "/api/v1/jobs/"), ("post", "/api/v1/jobs/")])
def test_anonymous_clients_cannot_list_or_start_jobs(method, path):
    response = getattr(client_for(), method)(path, {"kind": "export_csv"}, format="json")
    assert response.status_code in (401, 403)
    assert Job.objects.count() == 0


def test_a_signed_in_user_who_is_not_staff_cannot_start_jobs():
    outsider = UserFactory(username="carol", is_staff=False)
    response = client_for(outsider).post("/api/v1/jobs/", {"kind": "export_csv"}, format="json")
    assert response.status_code == 403


def test_only_reviewers_rebuild_summaries(editor, reviewer, django_capture_on_commit_callbacks):
    refused = client_for(editor).post("/api/v1/jobs/", {"kind": "rebuild_summaries"}, format="json")
    assert refused.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        allowed = client_for(reviewer).post(
            "/api/v1/jobs/", {"kind": "rebuild_summaries"}, format="json"
        )
    assert allowed.status_code == 202
    assert Job.objects.get().status == JobStatus.DONE


@pytest.mark.parametrize("payload", [{}, {"kind": "delete_everything"}, {"kind": ""}])
def test_a_bad_kind_is_a_400_naming_the_field(editor, payload):
    response = client_for(editor).post("/api/v1/jobs/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"].keys() == {"kind"}


def test_cancel_through_the_api(editor):
    job = Job.objects.create(kind=JobKind.EXPORT_CSV, created_by=editor)
    client = client_for(editor)
    response = client.post(f"/api/v1/jobs/{job.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = client.post(f"/api/v1/jobs/{job.pk}/cancel/")
    assert again.status_code == 400
    assert error_message(again) == "status: the job is already cancelled"
    assert client_for().post(f"/api/v1/jobs/{job.pk}/cancel/").status_code in (401, 403)


def test_unfinished_or_missing_exports_cannot_be_downloaded(editor):
    queued = Job.objects.create(kind=JobKind.EXPORT_CSV, created_by=editor)
    anonymous = client_for()
    assert anonymous.get(f"/api/v1/jobs/{queued.pk}/download/").status_code == 404
    assert anonymous.get("/api/v1/jobs/999999/download/").status_code == 404
    done_without_file = Job.objects.create(
        kind=JobKind.EXPORT_CSV, status=JobStatus.DONE, result="exports/gone.csv"
    )
    response = anonymous.get(f"/api/v1/jobs/{done_without_file.pk}/download/")
    assert response.status_code == 404
    assert "gone" in error_message(response)


@pytest.mark.parametrize("rows", [2, 40])
def test_list_query_count_does_not_grow_with_rows(editor, rows):
    make_jobs(editor, rows)
    # 1 token + user, 1 count for the page, 1 jobs joined with their creators.
    queries, response = count_queries(client_for(editor), "/api/v1/jobs/")
    assert response.json()["count"] == rows
    assert queries == 3


def test_jobs_are_in_the_schema():
    schema = client_for().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/jobs/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/jobs/{id}/cancel/"]
    assert "/api/v1/jobs/{id}/download/" in schema["paths"]


# --- Admin ----------------------------------------------------------------------------------


def test_editors_start_an_export_from_the_admin(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:claims_job_add"), {"kind": "export_csv"})
    assert response.status_code == 302, response.content[:2000]
    job = Job.objects.get()
    assert job.status == JobStatus.DONE and job.created_by == editor
    page = client.get(reverse("admin:claims_job_change", args=[job.pk]))
    assert b"Download claims.csv" in page.content
    # A job's page is for reading: nothing on it can be saved.
    assert b'name="_save"' not in page.content
    changed = client.post(reverse("admin:claims_job_change", args=[job.pk]), {"kind": "export_csv"})
    assert changed.status_code == 403


def test_an_editor_cannot_start_a_rebuild_from_the_admin(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:claims_job_add"), {"kind": "rebuild_summaries"})
    assert response.status_code == 200
    assert b"needs the permission to publish" in response.content
    assert not Job.objects.exists()


def test_the_admin_cancel_action(client, editor):
    client.force_login(editor)
    queued = Job.objects.create(kind=JobKind.EXPORT_CSV, created_by=editor)
    done = Job.objects.create(kind=JobKind.EXPORT_CSV, status=JobStatus.DONE)
    response = client.post(
        reverse("admin:claims_job_changelist"),
        {"action": "cancel_jobs", "_selected_action": [queued.pk, done.pk]},
        follow=True,
    )
    assert b"1 job(s) cancelled." in response.content
    assert b"1 job(s) had already finished." in response.content
    queued.refresh_from_db()
    assert queued.status == JobStatus.CANCELLED and queued.cancelled_by == editor


@pytest.mark.parametrize("rows", [2, 40])
def test_admin_changelist_query_count(client, django_assert_num_queries, editor, rows):
    make_jobs(editor, rows)
    client.force_login(editor)
    url = reverse("admin:claims_job_changelist")
    client.get(url)  # warm the session and permission caches
    # 1 session, 1 user, 2 permissions (user's, groups'), 1 count of the page, 1 the jobs
    # joined with their creators, 2 for the date drill-down (first/last, days).
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"Export: claims and stances (CSV)") >= rows


def test_progress_display_in_the_admin():
    from django.contrib import admin

    from claims.admin.jobs import JobAdmin

    display = JobAdmin(Job, admin.site).progress
    assert display(Job(done=0, total=None)) == "–"
    assert display(Job(done=250, total=1000)) == "250 / 1,000 (25%)"
    assert jobs.RESULT_NAMES[JobKind.EXPORT_CSV] == "claims.csv"
