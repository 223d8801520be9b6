"""PDF: HTML to PDF with WeasyPrint (the one renderer of the platform's documents), and
the small sample files the demo and the tests upload as scans.

Rendering never touches the network: only ``file:`` and ``data:`` URLs are fetched, so a
template that points at a remote font or image renders without it instead of hanging.

Speed (a one-page invoice renders in ~55 ms): one ``FontConfiguration`` per process, and
a static stylesheet passed as ``stylesheet`` is parsed once per process instead of at
each rendering. A process that renders PDFs in bulk (the billing run) should also call
``gc.freeze()`` once the application is loaded: WeasyPrint's garbage otherwise triggers
a full collection every ten PDFs or so, which walks the whole application heap.
"""

from __future__ import annotations

import struct
import threading
import zlib
from functools import lru_cache
from importlib.resources import files
from io import BytesIO
from typing import Any

# The font configuration, the parsed stylesheets and the sRGB profile (WeasyPrint writes
# each PDF's object reference into it) are shared: one rendering at a time per process,
# which costs little since rendering holds the GIL anyway.
_lock = threading.Lock()
_font_config: Any = None


def _fonts() -> Any:
    """One FontConfiguration per process: building it scans fontconfig, which is slow."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def _offline_fetcher() -> Any:
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, timeout=2)


# Key of our copy of WeasyPrint's sRGB profile; any name but "srgb", which WeasyPrint
# would reload from its package file at each rendering, leaving the file unclosed.
SRGB_PROFILE = "srgb-iec61966-2-1"


@lru_cache(maxsize=1)
def _srgb_profile() -> Any:
    """The sRGB output intent of PDF/A documents, loaded once (and its file closed)."""
    try:
        from weasyprint.css import ColorProfile
    except ImportError:  # a WeasyPrint without it: keep its own "srgb" output intent
        return None
    icc = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    return ColorProfile(BytesIO(icc), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


@lru_cache(maxsize=16)
def _stylesheet(css: str, base_url: str | None) -> Any:
    from weasyprint import CSS

    return CSS(string=css, base_url=base_url, url_fetcher=_offline_fetcher(), font_config=_fonts())


def html_to_pdf(
    html: str,
    *,
    base_url: str | None = None,
    pdf_variant: str | None = None,
    stylesheet: str | None = None,
) -> bytes:
    """HTML (plus an optional static stylesheet) to PDF bytes; ``pdf_variant="pdf/a-3b"`` to archive."""
    # Imported here: WeasyPrint loads Pango through cffi, which the web workers need not pay for.
    from weasyprint import HTML

    with _lock:
        options: dict[str, Any] = {}
        if pdf_variant and pdf_variant.startswith("pdf/a") and (profile := _srgb_profile()) is not None:
            options = {"color_profiles": {SRGB_PROFILE: profile}, "output_intent": SRGB_PROFILE}
        sheets = [_stylesheet(stylesheet, base_url)] if stylesheet else None
        document = HTML(string=html, base_url=base_url, url_fetcher=_offline_fetcher())
        return document.write_pdf(font_config=_fonts(), pdf_variant=pdf_variant, stylesheets=sheets, **options)


# --- sample files (demo scans, tests): tiny, valid, no dependency ------------------------------


def _pdf_text(line: str) -> str:
    raw = line.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return escaped.decode("latin-1")


def simple_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``lines`` in Helvetica (WinAnsi, so French accents work)."""
    text = "\n".join(f"({_pdf_text(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 60 780 Td\n{text}\nET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def simple_png(width: int = 800, height: int = 1100, shade: int = 235) -> bytes:
    """A grey ``width`` × ``height`` PNG with a darker band (a stand-in for a scan)."""
    rows = []
    for y in range(height):
        value = 90 if height // 3 < y < height // 3 + 40 else shade
        rows.append(b"\x00" + bytes([value]) * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


# --- previews: a PDF's pages as images, so nobody's browser runs anything in it -------------


# PDFium is not thread-safe: one document at a time per process (threaded servers render
# several previews of a page at once).
_PDFIUM = threading.Lock()


def page_count(pdf: bytes) -> int:
    """How many pages a PDF has (0 when it cannot be read)."""
    with _PDFIUM:
        return _page_count(pdf)


def _page_count(pdf: bytes) -> int:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError:
        return 0
    try:
        return len(document)
    finally:
        document.close()


def page_png(pdf: bytes, page: int, *, width: int = 900) -> bytes | None:
    """Page ``page`` (0-based) of a PDF rendered as a PNG ``width`` pixels wide; None when it does not exist."""
    with _PDFIUM:
        return _page_png(pdf, page, width)


def _page_png(pdf: bytes, page: int, width: int) -> bytes | None:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError:
        return None
    try:
        if not 0 <= page < len(document):
            return None
        sheet = document[page]
        scale = width / max(sheet.get_width(), 1)
        image = sheet.render(scale=min(scale, 3.0)).to_pil()
        out = BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


def append_pages(original: bytes, *more: bytes) -> bytes:
    """``original`` with the pages of ``more`` added as an incremental update.

    The original bytes stay the file's exact prefix: cutting the result at the length of
    ``original`` gives it back, so a signed document's hash can still be checked.
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(BytesIO(original), incremental=True)
    for pdf in more:
        for page in PdfReader(BytesIO(pdf)).pages:
            writer.add_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def render_document_template(name: str, *, locale: str = "fr", **context: Any) -> str:
    """A document template rendered from the application's templates, without the request's
    context (no logged-in user, no flashed messages): documents are the same whoever or
    whatever — a request or a job — renders them. They are French (invoices and contracts are
    legal French documents shared by both parties), unless ``locale`` names the language of
    their only reader (the freelancer's yearly statement)."""
    from flask import current_app
    from flask_babel import force_locale

    with force_locale(locale):
        return current_app.jinja_env.get_template(name).render(current_locale=locale, **context)
