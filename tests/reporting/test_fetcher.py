"""The WeasyPrint URL fetcher serves local static files and data: URIs, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint.urls import URLFetcher

from reporting.fetcher import LocalURLFetcher, ResourceRefusedError, local_url_fetcher

STATIC_CSS = Path(__file__).resolve().parents[2] / "static" / "reporting" / "pdf.css"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/style.css",
        "ftp://example.com/file.txt",
        "file:///etc/passwd",
        "file:///static/../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "file:///static/reporting/..%2f..%2fsettings.py",
        "file://intranet-host/static/reporting/pdf.css",
        "file:///static/",
        "file:///static/reporting/does-not-exist.css",
        "//example.com/logo.png",
    ],
)
def test_fetcher_refuses_remote_and_non_static_urls(url: str) -> None:
    """http(s), ftp, file:// outside the static prefix, traversal and missing files raise."""
    with pytest.raises(ResourceRefusedError):
        local_url_fetcher(url)


def test_fetcher_serves_a_static_file_through_the_finders() -> None:
    """``file:///static/reporting/pdf.css`` is the project's stylesheet, as text/css."""
    response = local_url_fetcher("file:///static/reporting/pdf.css")
    assert response.read() == STATIC_CSS.read_bytes()
    assert response.content_type == "text/css"


def test_fetcher_prefers_collected_files_in_static_root(settings, tmp_path: Path) -> None:
    """A hashed name that exists only in STATIC_ROOT (after collectstatic) is served."""
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "reporting").mkdir()
    (tmp_path / "reporting" / "pdf.0123abcd.css").write_text("p { color: red }")
    response = local_url_fetcher("file:///static/reporting/pdf.0123abcd.css?v=1")
    assert response.read() == b"p { color: red }"


def test_fetcher_decodes_data_uris() -> None:
    """data: URIs are decoded locally."""
    response = local_url_fetcher("data:text/plain;base64,Y2lhbw==")
    assert response.read() == b"ciao"
    assert response.content_type == "text/plain"


def test_weasyprint_fetcher_object_never_uses_the_network_handlers() -> None:
    """The object handed to WeasyPrint is a URLFetcher whose every entry point refuses http."""
    fetcher = LocalURLFetcher()
    assert isinstance(fetcher, URLFetcher)
    with pytest.raises(ResourceRefusedError):
        fetcher("https://example.com/x.css")
    with pytest.raises(ResourceRefusedError):
        fetcher.open("http://example.com/x.css")
    assert fetcher.fetch("file:///static/reporting/pdf.css").read() == STATIC_CSS.read_bytes()
