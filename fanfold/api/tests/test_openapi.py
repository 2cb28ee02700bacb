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
