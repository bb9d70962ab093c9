"""NUL bytes and lone surrogates in any input: a 400 that names the field, never a 5xx.

The API's operations and their inputs are enumerated from its own OpenAPI document, so a new
operation or field is covered without touching this file.
"""

import json

import pytest

NUL = "\x00"
SURROGATE = "\ud800"
MESSAGE = "Contains a NUL byte or an invalid character."
ID = 1


@pytest.fixture
def token(demo, user_named):
    from api.services import issue_token

    raw, _token = issue_token(user_named("epsa.benguet"))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(document, schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _fill(path, params, bad=None):
    """The path with every path parameter filled (an id, or `bad` for the one named)."""
    for param in params:
        if param["in"] == "path":
            value = ID if param["schema"].get("type") == "integer" else "submit"
            path = path.replace("{" + param["name"] + "}", str(value))
    return path


def _field_schema(document, schema):
    """A property's schema, with `$ref`s resolved and a nullable `anyOf` reduced to its type."""
    schema = _resolve(document, schema)
    for branch in schema.get("anyOf", []):
        if branch.get("type") != "null":
            return _resolve(document, branch)
    return schema


def _body_fields(document, operation):
    """(content type, {field: schema}) of the operation's request body, or (None, {})."""
    content = operation.get("requestBody", {}).get("content", {})
    for content_type, media in content.items():
        schema = _resolve(document, media["schema"])
        fields = {k: _field_schema(document, v) for k, v in schema["properties"].items()}
        return content_type, fields
    return None, {}


def _bad_value(schema, text):
    """A JSON value of the field's shape with `text` inside."""
    if schema.get("type") == "array":
        return [text]
    if schema.get("type") == "object" or "properties" in schema:
        return {"items": {"x": text}}
    return text


def assert_refused(response, field):
    assert response.status_code == 400, (field, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] and body["errors"], body
    assert any(name == field or name.startswith(f"{field}.") for name in body["errors"]), (
        field,
        body,
    )
    assert MESSAGE in sum(body["errors"].values(), [])


def test_every_api_input_refuses_nul_and_surrogates(client, openapi, token):
    checked = set()
    for path, method, operation in _operations(openapi):
        params = operation.get("parameters", [])
        url = _fill(path, params)
        call = getattr(client, method)
        for param in params:
            if param["in"] == "query":
                response = call(f"{url}?{param['name']}=%00", **token)
                assert_refused(response, param["name"])
                checked.add((method, path, param["name"]))
            elif param["in"] == "path":
                bad = path.replace("{" + param["name"] + "}", "%00")
                response = call(_fill(bad, params), **token)
                assert_refused(response, "path")
                checked.add((method, path, param["name"]))
        content_type, fields = _body_fields(openapi, operation)
        for field, schema in fields.items():
            for bad_text in (NUL, SURROGATE):
                if content_type == "application/json":
                    body = json.dumps({field: _bad_value(schema, bad_text)})
                    response = call(url, body, content_type=content_type, **token)
                    assert_refused(response, field)
                elif bad_text == NUL:  # multipart: a lone surrogate cannot be sent as UTF-8
                    from django.core.files.uploadedfile import SimpleUploadedFile

                    if schema.get("format") == "binary":
                        # Django's multipart parser drops unprintable characters from file
                        # names itself; the guard would name the field if one got through.
                        upload = SimpleUploadedFile(f"a{NUL}b.pdf", b"%PDF-1.4")
                        response = client.post(url, {field: upload}, **token)
                        assert response.status_code < 500
                        assert MESSAGE not in response.content.decode() or field in str(
                            response.json().get("errors")
                        )
                    else:
                        response = client.post(url, {field: NUL}, **token)
                        assert_refused(response, field)
            checked.add((method, path, field))
    # The document is not empty and its operations' inputs were all reached.
    assert len(checked) >= 30, checked
    assert ("post", "/api/v1/submissions", "title") in checked
    assert ("get", "/api/v1/submissions", "q") in checked
    assert ("post", "/api/v1/snapshots", "file") in checked


def test_the_examples_of_the_issue(client, token):
    assert_refused(client.get("/api/v1/submissions?q=%00", **token), "q")
    response = client.post(
        "/api/v1/submissions",
        '{"kind": "lr", "title": "\\ud800"}',
        content_type="application/json",
        **token,
    )
    assert_refused(response, "title")
    response = client.post(
        "/api/v1/submissions",
        '{"languages": ["english", "x\\u0000"]}',
        content_type="application/json",
        **token,
    )
    assert_refused(response, "languages")
    assert "languages.1" in response.json()["errors"]
    # Even before authentication: the token endpoint and an anonymous call.
    assert_refused(
        client.post(
            "/api/v1/auth/token",
            json.dumps({"username": NUL, "password": "x"}),
            content_type="application/json",
        ),
        "username",
    )
    assert_refused(client.get("/api/v1/submissions?state=%00"), "state")


def test_bad_percent_encoding_is_not_an_error(client, token):
    """Invalid UTF-8 decodes to U+FFFD, an ordinary character."""
    response = client.get("/api/v1/submissions?q=%ED%A0%80%FF", **token)
    assert response.status_code == 200


def test_api_answers_json_for_unknown_paths_methods_and_ids(client, token):
    for path in ("/api/v1/submissions/abc", "/api/v1/nothing", "/api/v1/snapshots/x/export"):
        response = client.get(path, **token)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    response = client.put("/api/v1/submissions", **token)
    assert response.status_code == 405
    assert response.json() == {"detail": "Method not allowed."}
    assert "GET" in response["Allow"]
    response = client.post(
        "/api/v1/submissions", "{not json", content_type="application/json", **token
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_too_large_json_body_is_a_json_400(client, token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(
        "/api/v1/submissions",
        json.dumps({"title": "x" * 200}),
        content_type="application/json",
        **token,
    )
    assert response.status_code == 400
    assert "__all__" in response.json()["errors"]


# ------------------------------------------------------------------------ public endpoints


def assert_page_refused(response, field):
    assert response.status_code == 400, (field, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert f"<strong>{field}</strong>" in text, text
    assert MESSAGE in text


PUBLIC_QUERIES = [
    ("/resources/?q=%00", "q"),
    ("/resources/?kind=%00", "kind"),
    ("/?q=%00", "q"),
    ("/oai/?verb=%00", "verb"),
    (
        "/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:alsmis.deped-car:%00",
        "identifier",
    ),
    ("/oai/?verb=ListRecords&resumptionToken=%00", "resumptionToken"),
    ("/oai/?verb=ListRecords&metadataPrefix=oai_dc&from=%00", "from"),
    ("/oai/?verb=ListIdentifiers&metadataPrefix=%00", "metadataPrefix"),
    ("/oai/?%00=x", "\ufffd"),
    ("/resources/feed/?page=%00", "page"),
    ("/sitemap.xml?p=%00", "p"),
    ("/healthz?x=%00", "x"),
    ("/admin/login/?next=%00", "next"),
    # A fixed UUID: parallel workers (pytest-xdist) must collect the same test ids.
    ("/resources/files/16edebfa-891c-4686-8f34-1186dcb4a686/a%00b.pdf", "path"),
    ("/resources/previews/%00.png", "path"),
    ("/resources/%00/", "path"),
    ("/fil/resources/?q=%00", "q"),
    ("/documents/%00/x.pdf", "path"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "field"), PUBLIC_QUERIES)
def test_public_get_inputs_refuse_nul(client, site_tree, url, field):
    assert_page_refused(client.get(url), field)


@pytest.mark.django_db
def test_public_form_inputs_refuse_nul(client, site_tree):
    assert_page_refused(
        client.post("/oai/", {"verb": "GetRecord", "identifier": NUL}), "identifier"
    )
    assert_page_refused(client.post("/i18n/setlang/", {"language": NUL}), "language")
    assert_page_refused(client.post("/i18n/setlang/", {"language": "fil", "next": NUL}), "next")
    assert_page_refused(
        client.post("/admin/login/", {"username": f"admin{NUL}", "password": "x"}), "username"
    )
    assert_page_refused(
        client.post("/admin/login/", {"username": "admin", "password": NUL}), "password"
    )


@pytest.mark.django_db
def test_admin_forms_refuse_nul(client, demo, user_named):
    client.force_login(user_named("sysadmin.region"))
    assert_page_refused(client.get("/admin/users/?q=%00"), "q")
    assert_page_refused(client.post("/admin/pages/search/", {"q": NUL}), "q")


@pytest.mark.django_db
def test_surrogate_like_query_bytes_and_poisoned_cookies_are_harmless(client, site_tree):
    for url in (
        "/resources/?q=%ED%A0%80",
        "/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x:%ED%A0%80",
        "/healthz?x=%ED%A0%80",
    ):
        assert client.get(url).status_code < 500, url
    client.cookies["sessionid"] = '"\\000abcdefgh"'
    client.cookies["django_language"] = '"\\000"'
    assert client.get("/resources/").status_code == 200


@pytest.mark.django_db
def test_error_page_is_translated_and_names_the_field(client, site_tree):
    response = client.get("/resources/?q=%00", HTTP_ACCEPT_LANGUAGE="fil")
    assert response.status_code == 400
    assert 'lang="fil"' in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"
