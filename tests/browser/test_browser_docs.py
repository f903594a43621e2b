"""GET /docs in Chromium: the vendored Swagger UI renders this server's document under the strict CSP."""


def test_docs_page_renders_every_route_without_a_csp_violation(visit):
    response = visit.page.goto(visit.server.url + "/docs")
    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    operations = visit.page.locator(".opblock")
    operations.first.wait_for()
    paths = set(visit.page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/v1/audio/speech", "/tts", "/v1/models/{model}", "/tts/jobs/{job_id}/audio"} <= {
        p.replace("\u200b", "") for p in paths}
    visit.assert_clean()   # no script error, no CSP report in the console, nothing fetched from elsewhere


def test_docs_page_shows_a_routes_fields_and_formats(visit):
    visit.page.goto(visit.server.url + "/docs")
    visit.page.locator(".opblock-summary-path", has_text="/v1/audio/speech").first.click()
    visit.page.get_by_text("response_format").first.wait_for()
    assert visit.page.get_by_text("audio/aac").count() >= 1
    visit.assert_clean()
