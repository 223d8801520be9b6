"""Speed of the platform's seal: identity creation, sealing and checking a contract PDF.

    python benchmarks/seal_speed.py [--pages 12] [--runs 20]

The PDF is made with pypdf (text pages, no fonts embedded); the identity is the
embedded self-signed one, made in a temporary instance folder. Figures depend on the
machine and its load; nothing here asserts a threshold.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.platform.seal import (  # noqa: E402
    clear_identity_cache,
    load_identity,
    seal_pdf,
    verify_seal,
)


def sample_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    for number in range(1, pages + 1):
        page = writer.add_blank_page(595, 842)
        lines = " ".join(
            f"BT /F1 10 Tf 60 {800 - 14 * line} Td (Article {number}.{line} - clause du contrat de cadrage) Tj ET"
            for line in range(50)
        )
        content = StreamObject()
        content.set_data(lines.encode())
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    print(f"{label:<28} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    pdf = sample_pdf(args.pages)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        identity = load_identity({}, Path(folder))
        print(f"{'identity (first, generated)':<28} {(time.perf_counter() - start) * 1000:7.1f} ms")
        clear_identity_cache()
        report("identity (read from disk)", timed(lambda: (clear_identity_cache(), load_identity({}, Path(folder))), args.runs))

        seal_pdf(pdf, identity, reason="échauffement")
        report(f"seal ({args.pages} pages, {len(pdf) // 1024} KiB)", timed(lambda: seal_pdf(pdf, identity, reason="Contrat signé"), args.runs))
        sealed = seal_pdf(pdf, identity, reason="Contrat signé")
        report("verify", timed(lambda: verify_seal(sealed, [identity.trust_root]), args.runs))
        print(f"size: {len(pdf)} → {len(sealed)} bytes (+{len(sealed) - len(pdf)})")


if __name__ == "__main__":
    main()
