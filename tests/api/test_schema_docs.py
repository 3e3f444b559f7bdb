"""OpenAPI 3 at /api/schema/ (valid against the OpenAPI 3.0 JSON schema) and Swagger UI at
/api/docs/ served from the platform itself (no CDN: the platform runs without internet)."""

import re

from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema


def test_schema_is_valid_openapi_3_with_our_paths(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises jsonschema.ValidationError when invalid
    paths = schema["paths"]
    for path, method in [("/api/v1/me", "get"), ("/api/v1/organisations/", "get"),
                         ("/api/v1/organisations/{id}", "get"), ("/api/v1/api-clients/", "get"),
                         ("/api/v1/api-clients/", "post"), ("/api/v1/api-clients/{id}/revoke", "post")]:
        assert method in paths[path], (path, method)
    # token auth is declared, errors share one documented shape, creating POSTs take a key
    assert schema["components"]["securitySchemes"]["ApiToken"]["name"] == "Authorization"
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"code", "detail", "field"}
    create = paths["/api/v1/api-clients/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    assert create["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    # list endpoints are cursor-paged
    assert "cursor" in [p["name"] for p in paths["/api/v1/organisations/"]["get"]["parameters"]]


def test_swagger_ui_uses_only_local_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"']+", html)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    for asset in assets:  # and the platform really has them
        assert finders.find(asset.removeprefix("/static/")), asset
    # Swagger UI must not call validator.swagger.io for its badge
    assert '"validatorUrl": null' in html


def test_redoc_uses_only_local_assets(client, db):
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"']+", html)
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
