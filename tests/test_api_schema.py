"""The OpenAPI schema is valid, documents every endpoint and filter, and the documentation is
served from the app itself."""

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for path in [
        "/api/v1/sources/",
        "/api/v1/claims/",
        "/api/v1/stances/",
        "/api/v1/propositions/",
        "/api/v1/compare/matrix/",
        "/api/v1/compare/sources/",
        "/api/v1/annotations/",
        "/api/v1/exports/claims.csv",
        "/api/v1/exports/positions.csv",
    ]:
        assert path in paths, path
    claim_filters = {p["name"] for p in paths["/api/v1/claims/"]["get"]["parameters"]}
    assert {
        "source",
        "publisher",
        "author",
        "topic",
        "proposition",
        "label",
        "kind",
        "speaker",
        "actor",
        "published_after",
        "published_before",
        "q",
        "cursor",
    } <= claim_filters
    # Read-only resources expose no write operations.
    assert set(paths["/api/v1/sources/{slug}/"]) == {"get"}


@pytest.mark.parametrize("name", ["api-schema", "api-docs", "api-redoc"])
def test_documentation_is_served_locally(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn." not in body and "googleapis" not in body and "unpkg" not in body
