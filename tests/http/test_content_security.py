"""The pages' Content-Security-Policy (sousei_kg.http.content_security): as strict as the pages
allow, every inline element a page holds is either a data block (never executed) or a style the
policy names by its hash, and a page that needs more states exactly what. Whether the pages work
under it in a real browser is ``tests/web/test_browser_csp.py``."""

import re

import pytest
from fastapi.testclient import TestClient

from sousei_kg.http.content_security import (
    content_security_policy,
    new_nonce,
    page_policy,
    sha256_source,
)
from sousei_kg.web.html import inline_styles

BROWSER = {"Accept": "text/html"}
PAGES = ["/", "/logic-model", "/kpis?kpi=goal-2-kpi", "/organisations", "/search?q=交通", "/def"]
DATA_BLOCKS = {"application/json", "application/ld+json"}


def directives(policy: str) -> dict[str, list[str]]:
    """``{directive: [sources]}`` of a serialised policy."""
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice in {policy}"
        parsed[name] = sources
    return parsed


def test_the_page_policy_allows_only_this_server_and_nothing_inline_but_our_style() -> None:
    policy = directives(page_policy())
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *(sha256_source(text) for text in inline_styles())],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


@pytest.mark.parametrize("url", PAGES)
def test_no_page_holds_inline_script_and_each_inline_style_is_allowed_by_hash(
    client: TestClient, url: str
) -> None:
    response = client.get(url, headers=BROWSER)
    policy = directives(response.headers["content-security-policy"])
    page = response.text
    for attributes, _body in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S):
        if "src=" in attributes:
            continue
        kind = re.search(r'type="([^"]+)"', attributes)
        assert kind is not None and kind.group(1) in DATA_BLOCKS, attributes
    for style in re.findall(r"<style\b[^>]*>(.*?)</style>", page, re.S):
        assert sha256_source(style) in policy["style-src"]
    assert not re.search(r"<[^>]+\sstyle=", page), "a style attribute would need unsafe-hashes"
    assert not re.search(r"<[^>]+\son[a-z]+=", page), "an event handler attribute is inline script"


def test_the_diagrams_style_is_in_the_pages_that_show_it(client: TestClient) -> None:
    """So the hash above is tested against real output, not vacuously."""
    page = client.get("/logic-model", headers=BROWSER).text
    assert re.findall(r"<style>(.*?)</style>", page, re.S) == list(inline_styles())


def test_a_nonce_goes_to_scripts_and_styles_and_is_fresh_each_time() -> None:
    """For a page whose inline script is made per response (a documentation page's set-up):
    the nonce joins script-src and style-src, next to the base policy and the extra sources."""
    first, second = new_nonce(), new_nonce()
    assert first != second and len(first) >= 22
    policy = directives(content_security_policy(nonce=first, extra={"img-src": ["data:"]}))
    assert policy["script-src"] == ["'self'", f"'nonce-{first}'"]
    assert f"'nonce-{first}'" in policy["style-src"] and "'self'" in policy["style-src"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert second not in content_security_policy(nonce=first)


def test_extra_sources_add_directives_and_replace_none() -> None:
    policy = directives(
        content_security_policy(
            extra={"style-src-attr": ["'unsafe-hashes'"], "object-src": ["'self'"]}
        )
    )
    assert policy["style-src-attr"] == ["'unsafe-hashes'"]
    assert policy["object-src"] == ["'self'"]  # 'none' with another source would be ignored
    assert policy["script-src"] == ["'self'"]
