"""GET /docs: a readable page from the vendored Swagger UI, intact and served from this origin only."""

import hashlib
import re

from helpers import ROOT
from tts.web.security import CONTENT_SECURITY_POLICY

VENDOR = ROOT / "static" / "vendor" / "swagger-ui"


def test_the_vendored_viewer_is_the_file_set_its_checksums_name():
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        listed[name] = digest
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"} <= set(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, f"{name} was changed"


def test_docs_page_loads_only_this_origins_files_and_the_json(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources and "/static/docs.js" in sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "<script>" not in html and "style=" not in html   # nothing inline: the CSP would refuse it
    assert 'data-spec="/openapi.json"' in html
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui/{name}").status_code == 200


def test_the_csp_stays_strict_for_the_viewer(client):
    policy = client.get("/docs").headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in policy and "'unsafe-eval'" not in policy and "http" not in policy   # 'wasm-unsafe-eval' only
