"""The browser client's files: exactly what the page loads is served, nothing else
of `client/`, and every response (redirects and 404s too) carries the security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.http.client_files import CLIENT_DIR
from tests.conftest import Server

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")
IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']""")
STATIC_REF = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


def page_files() -> set[str]:
    """Every /static/ URL the page loads: index.html's links, then the modules'
    imports followed transitively (relative and absolute), and the styles' url()s."""
    todo = STATIC_REF.findall((CLIENT_DIR / "index.html").read_text(encoding="utf-8"))
    found: set[str] = set()
    while todo:
        url = todo.pop()
        if url in found:
            continue
        found.add(url)
        path = CLIENT_DIR / url.removeprefix("/static/")
        text = path.read_text(encoding="utf-8")
        refs = IMPORT.findall(text) if url.endswith(".js") and "/dist/" not in url else []
        refs += re.findall(r"""url\(["']?([^"')]+)""", text) if url.endswith(".css") else []
        for ref in refs:
            if ref.startswith("data:"):
                continue
            base = url.rsplit("/", 1)[0]
            todo.append(ref if ref.startswith("/") else str(Path(base, ref)).replace("\\", "/"))
    return found


def assert_secured(headers: object, what: str) -> None:
    for name in SECURITY_HEADERS:
        assert name in headers, f"{what} lacks {name}"  # type: ignore[operator]


async def test_every_file_the_page_loads_is_served(server: Server) -> None:
    """Each file index.html and its modules load answers 200 with the security headers."""
    files = page_files()
    assert "/static/dist/vendor.js" in files and "/static/src/styles.css" in files
    assert "/static/src/lang/sv.js" in files and len(files) > 15
    for url in sorted(files):
        async with server.http.get(server.url + url) as resp:
            assert resp.status == 200, url
            assert_secured(resp.headers, url)


@pytest.mark.parametrize("path", [
    "/static/package.json",
    "/static/package-lock.json",
    "/static/node_modules/socket.io-client/package.json",
    "/static/node_modules/.bin/esbuild",
    "/static/node_modules/esbuild/package.json",
    "/static/test/i18n.test.js",
    "/static/scripts/vendor-entry.js",
    "/static/README.md",
    "/static/index.html",
    "/static/src/../package.json",
    "/static/src/%2e%2e/package.json",
    "/static/dist/../node_modules/axe-core/axe.min.js",
])
async def test_the_rest_of_client_is_not_served(server: Server, path: str) -> None:
    """node_modules, the build tool, tests and package files are 404, with the headers."""
    assert (CLIENT_DIR / "node_modules").is_dir()  # they exist on disk: the route hides them
    async with server.http.get(server.url + path, allow_redirects=False) as resp:
        assert resp.status in (403, 404), path
        assert_secured(resp.headers, path)


async def test_redirects_and_page_404s_carry_the_security_headers(server: Server) -> None:
    """`/` (a redirect), an unknown event page, an unknown path and a wrong method
    all carry CSP, nosniff and Referrer-Policy."""
    async with server.http.get(server.url + "/", allow_redirects=False) as resp:
        assert resp.status == 302 and resp.headers["Location"] == "/e/testfair"
        assert_secured(resp.headers, "/")
    for path in ("/e/nope", "/no/such/page", "/static/src/nope.js", "/api/nope"):
        async with server.http.get(server.url + path) as resp:
            assert resp.status == 404, path
            assert_secured(resp.headers, path)
    async with server.http.delete(server.url + "/e/testfair") as resp:
        assert resp.status == 405
        assert_secured(resp.headers, "DELETE /e/testfair")
    async with server.http.get(server.url + "/e/testfair") as resp:
        assert resp.status == 200
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
