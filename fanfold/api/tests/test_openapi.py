import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Fanfold API"
    assert document["info"]["version"] == "1"
    assert {"/api/v1/works", "/api/v1/works/{work_id}", "/api/v1/tags"} <= set(document["paths"])


def test_list_parameters_are_documented(client):
    document = client.get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/works"]["get"]["parameters"]}
    assert set(parameters) == {
        "q", "include", "exclude", "rating", "complete", "crossover", "words_from", "words_to",
        "updated_from", "updated_to", "language", "sort", "page",
    }  # fmt: skip
    assert all(p["description"] for p in parameters.values())
    assert parameters["include"]["schema"]["type"] == "array"
    assert "kudos" in parameters["sort"]["schema"]["enum"]


def test_docs_page_loads(client):
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}


def test_unexpected_errors_are_json_without_a_traceback(client, monkeypatch):
    from fanfold.search import engine

    def broken(query, viewer):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(engine, "search_works", broken)
    response = client.get("/api/v1/works")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert b"secret internals" not in response.content


WRITES = {
    ("/api/v1/works", "post"),
    ("/api/v1/works/{work_id}", "patch"),
    ("/api/v1/works/{work_id}", "delete"),
    ("/api/v1/works/{work_id}/kudos", "post"),
    ("/api/v1/works/{work_id}/comments", "post"),
    ("/api/v1/bookmarks", "post"),
    ("/api/v1/bookmarks/{bookmark_id}", "patch"),
    ("/api/v1/bookmarks/{bookmark_id}", "delete"),
    ("/api/v1/mutes", "post"),
    ("/api/v1/mutes/{username}", "delete"),
    ("/api/v1/blocks", "post"),
    ("/api/v1/blocks/{username}", "delete"),
}
GUEST_WRITES = {("/api/v1/works/{work_id}/kudos", "post"), ("/api/v1/works/{work_id}/comments", "post")}


def test_every_endpoint_is_documented_with_its_errors(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (path, method): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) >= WRITES
    assert {("/api/v1/works/{work_id}/comments", "get"), ("/api/v1/bookmarks", "get"),
            ("/api/v1/mutes", "get"), ("/api/v1/blocks", "get")} <= set(operations)  # fmt: skip
    for key, operation in operations.items():
        assert operation.get("summary"), key
        assert operation.get("description"), key
        errors = {code for code in operation["responses"] if code.startswith("4")}
        assert errors, key
    for key in WRITES:
        operation = operations[key]
        schemes = [next(iter(s), None) for s in operation["security"]]
        assert {"TokenAuth", "SessionAuth"} <= set(schemes), key
        assert (None in schemes) is (key in GUEST_WRITES), key  # only these take guests
        if key not in GUEST_WRITES:
            assert "401" in operation["responses"], key
    assert (
        "Retry-After" in operations[("/api/v1/works/{work_id}/kudos", "post")]["responses"]["429"]["headers"]
    )
    assert document["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
