"""The editor page's Content-Security-Policy: the pages' own plus exactly what the vendored
YASGUI needs (sousei_kg.routes.editor.EDITOR_SOURCES), each inline style by the hash of a text
that is really in ``yasgui.min.js``. Re-vendoring YASGUI (scripts/refresh-yasgui) with other
texts fails here before it fails in a browser (tests/web/test_browser_csp.py)."""

import json
from pathlib import Path

from fastapi.testclient import TestClient

from sousei_kg.http.content_security import content_security_policy, sha256_source
from sousei_kg.routes.editor import (
    EDITOR_SOURCES,
    YASGUI_STYLE_ATTRIBUTES,
    YASGUI_STYLE_ELEMENTS,
)
from sousei_kg.web.html import TEMPLATES

YASGUI = (TEMPLATES.parent / "static" / "vendor" / "yasgui" / "yasgui.min.js").read_text("utf-8")


def test_the_editor_page_carries_its_policy(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.headers["content-security-policy"] == content_security_policy(
        extra=EDITOR_SOURCES
    )
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "script-src 'self';" in policy  # YASGUI runs from its file: no inline, no eval


def test_each_allowed_style_is_yasguis_own_text() -> None:
    grip, drag_cursor = YASGUI_STYLE_ELEMENTS
    # The resizer's style is one string literal; the drag cursor's is built from its default.
    assert f"n.createStyle(i,{json.dumps(grip)})" in YASGUI
    assert '"*{cursor:"+r.opt.dragCursor+"!important}"' in YASGUI
    assert 'dragCursor:"col-resize"' in YASGUI and drag_cursor == "*{cursor:col-resize!important}"
    [underline] = YASGUI_STYLE_ATTRIBUTES
    assert f"<strong style='{underline}'>" in YASGUI
    assert EDITOR_SOURCES["style-src"] == [sha256_source(t) for t in YASGUI_STYLE_ELEMENTS]
    assert EDITOR_SOURCES["style-src-attr"] == ["'unsafe-hashes'", sha256_source(underline)]


def test_the_data_images_are_yasguis_stylesheets() -> None:
    """img-src data: is for the result table's sort arrows, data: PNGs in yasgui.min.css."""
    css = Path(TEMPLATES.parent / "static" / "vendor" / "yasgui" / "yasgui.min.css").read_text()
    assert 'url("data:image/png;base64,' in css
    assert EDITOR_SOURCES["img-src"] == ["data:"]
