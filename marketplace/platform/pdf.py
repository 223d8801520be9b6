"""HTML to PDF with WeasyPrint: the one PDF generator of the project.

Rendering never touches the network: only ``file:`` and ``data:`` URLs are fetched, so a
template that points at a remote font or image renders without it instead of hanging.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_font_config = None


def _fonts():
    """One FontConfiguration per process: building it scans fontconfig, which is slow."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


def _offline_fetcher():
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, timeout=2)


def html_to_pdf(html: str, *, base_url: str | None = None, pdf_variant: str | None = None) -> bytes:
    """Render an HTML document to PDF bytes (``pdf_variant="pdf/a-3b"`` for archivable invoices)."""
    # Imported here: WeasyPrint loads Pango through cffi, which the web workers need not pay for.
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url, url_fetcher=_offline_fetcher())
    return document.write_pdf(font_config=_fonts(), pdf_variant=pdf_variant)
