"""Who may do what: anonymous, a token without permissions, an editor, a reviewer — for every
method on every resource. Reads are open (to what each may see); writes follow the admin's
model permissions; read-only resources refuse writes to everyone."""

import pytest
from django.urls import reverse

from .api_helpers import client_for

pytestmark = pytest.mark.django_db

WRITABLE = {"proposition", "claim", "stance"}
READ_ONLY = {"publisher", "author", "source", "topic", "actor"}
DETAIL = {
    "publisher": "fanack",
    "author": "ali-noureddine",
    "source": "russia-and-iran-new-divides",
    "topic": "sudan",
    "actor": "russia",
    "proposition": "russia-backs-zangezur-corridor",
}


@pytest.fixture
def users(editor, reviewer, django_user_model):
    return {
        "anonymous": None,
        "reader": django_user_model.objects.create_user("reader"),
        "editor": editor,
        "reviewer": reviewer,
    }


def detail_url(name: str) -> str:
    from claims.models import Claim, Stance

    key = DETAIL.get(name)
    if name == "claim":
        key = Claim.objects.published().order_by("pk").first().pk
    elif name == "stance":
        key = Stance.objects.published().order_by("pk").first().pk
    return reverse(f"api:{name}-detail", args=[key])


@pytest.mark.parametrize("who", ["anonymous", "reader", "editor", "reviewer"])
@pytest.mark.parametrize("name", sorted(WRITABLE | READ_ONLY))
def test_everyone_reads(users, who, name):
    client = client_for(users[who])
    assert client.get(reverse(f"api:{name}-list")).status_code == 200
    assert client.get(detail_url(name)).status_code == 200


# Expected status of a write with no body worth saving: the permission check comes first, so
# anonymous gets 401, a user without the permission 403, and an editor or reviewer reaches
# validation (400), the precondition check (428) or — for read-only resources — 405.
EXPECTED = {
    ("anonymous", True): {"post": 401, "put": 401, "patch": 401, "delete": 401},
    ("reader", True): {"post": 403, "put": 403, "patch": 403, "delete": 403},
    ("editor", True): {"post": 400, "put": 428, "patch": 428, "delete": 428},
    ("reviewer", True): {"post": 400, "put": 428, "patch": 428, "delete": 428},
}
# Read-only resources: permissions are still checked first, so only editors and reviewers get
# as far as "method not allowed".
for who, status in [("anonymous", 401), ("reader", 403), ("editor", 405), ("reviewer", 405)]:
    EXPECTED[(who, False)] = dict.fromkeys(("post", "put", "patch", "delete"), status)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("who", ["anonymous", "reader", "editor", "reviewer"])
@pytest.mark.parametrize("name", sorted(WRITABLE | READ_ONLY))
def test_write_matrix(users, who, name, method):
    client = client_for(users[who])
    url = reverse(f"api:{name}-list") if method == "post" else detail_url(name)
    response = getattr(client, method)(url, {}, format="json")
    expected = EXPECTED[(who, name in WRITABLE)][method]
    if name == "stance" and who == "editor" and method != "post":
        # The stance is the curator's: another annotator's stance is refused before anything
        # else is looked at (tests/test_stance_ownership.py).
        expected = 403
    assert response.status_code == expected, (response.status_code, response.content[:300])
    assert "error" in response.json()


def test_anonymous_is_told_how_to_authenticate():
    response = client_for().post(reverse("api:claim-list"), {}, format="json")
    assert response["WWW-Authenticate"].startswith("Token")


def test_session_authentication_needs_csrf(client, editor):
    client.force_login(editor)
    csrf_client = client.__class__(enforce_csrf_checks=True)
    csrf_client.force_login(editor)
    response = csrf_client.post(reverse("api:claim-list"), {}, content_type="application/json")
    assert response.status_code == 403
