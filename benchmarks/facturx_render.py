"""Speed of the Factur-X PDFs: realistic invoices rendered and embedded, per second, on one core.

    python benchmarks/facturx_render.py [--count 200] [--out DIR]

The documents cycle through the platform's five kinds (franchise, 20 % VAT, half days,
credit note, platform fee) with 1 to 4 lines and gapless numbers per seller, so that
``--out DIR`` can then be checked with ``benchmarks/facturx_check.py DIR``. The process is
pinned to one CPU. One document is rendered first (fonts, XSD, templates: the warm state);
then each document is timed for its XML (``cii_xml``) and for its PDF (``facturx_pdf``:
template, WeasyPrint PDF/A-3b, embedding). Figures depend on the machine and its load.

The documents are rendered twice: with Python's default garbage collector, then after
``gc.freeze()``. WeasyPrint allocates a lot, which triggers full collections every ten
PDFs or so; each walks the whole application heap (Flask, SQLAlchemy, scikit-learn…),
~150 ms here. Freezing the heap once the app is loaded, as a worker would after boot,
leaves those collections only the young objects to walk.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace import create_app  # noqa: E402
from marketplace.services.billing import samples  # noqa: E402
from marketplace.services.billing.document import InvoiceDocument, InvoiceLine  # noqa: E402
from marketplace.services.billing.facturx import cii_xml, facturx_pdf  # noqa: E402

EXTRA_LINES = (
    ("Clôture mensuelle et relances clients", 150),
    ("Préparation de la paie et suivi des absences", 100),
    ("Organisation du déménagement des bureaux (demi-journée)", 50),
)
PREFIXES = {
    samples.FRANCHISE_FREELANCER.siren: "CM-2026-",
    samples.LIABLE_FREELANCER.siren: "SB-2026-",
    samples.PLATFORM.siren: "OMP-2026-",
}


def documents(count: int) -> list[InvoiceDocument]:
    """``count`` realistic documents, numbered without gap per seller."""
    next_number: dict[str, int] = defaultdict(lambda: 1)
    last_vat_invoice: InvoiceDocument | None = None
    result = []

    def number_for(doc: InvoiceDocument) -> str:
        siren = doc.seller.siren
        number = f"{PREFIXES[siren]}{next_number[siren]:04d}"
        next_number[siren] += 1
        return number

    builders = (samples.franchise_invoice, samples.vat_invoice, samples.half_day_invoice,
                None, samples.platform_fee_invoice)
    for index in range(count):
        builder = builders[index % len(builders)]
        if builder is None:  # a credit note for the last VAT invoice
            doc = samples.credit_note(credited=last_vat_invoice)
        else:
            doc = builder()
            first = doc.lines[0]
            extra = tuple(
                InvoiceLine(description=text, quantity_centi=quantity, unit_price_cents=first.unit_price_cents,
                            vat_category=first.vat_category, vat_rate_bp=first.vat_rate_bp)
                for text, quantity in EXTRA_LINES[: index % 4]
            )
            doc = replace(doc, lines=doc.lines + extra)
        doc = replace(doc, number=number_for(doc))
        if builder is samples.vat_invoice:
            last_vat_invoice = doc
        result.append(doc)
    return result


def render_all(docs: list[InvoiceDocument], out: Path | None) -> dict[str, float]:
    """Time the XML and the PDF of every document (inside an app context)."""
    xml_times, pdf_times, pdf_cpu, sizes = [], [], [], []
    started = time.perf_counter()
    for doc in docs:
        t0 = time.perf_counter()
        xml = cii_xml(doc)
        t1, c1 = time.perf_counter(), time.process_time()
        pdf = facturx_pdf(doc, xml=xml)
        t2, c2 = time.perf_counter(), time.process_time()
        xml_times.append(t1 - t0)
        pdf_times.append(t2 - t1)
        pdf_cpu.append(c2 - c1)
        sizes.append(len(pdf))
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{doc.number.replace('/', '_')}.pdf").write_bytes(pdf)
    wall = time.perf_counter() - started
    pdf_times.sort()
    return {
        "xml_ms": statistics.median(xml_times) * 1000,
        "pdf_ms": statistics.median(pdf_times) * 1000,
        "p95_ms": pdf_times[max(0, int(len(pdf_times) * 0.95) - 1)] * 1000,
        "kib": statistics.mean(sizes) / 1024,
        "per_s": len(docs) / sum(pdf_times),
        "per_cpu_s": len(docs) / sum(pdf_cpu),
        "all_per_s": len(docs) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--out", type=Path, help="write the PDFs there (then run facturx_check.py on it)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    docs = documents(args.count)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"TESTING": True, "SECRET_KEY": "benchmark", "DATABASE_URL": "sqlite://",
                          "INSTANCE_PATH": instance})
        with app.app_context():
            facturx_pdf(samples.vat_invoice())  # warm: fonts, XSD, templates
            default = render_all(docs, None)
            gc.collect()
            gc.freeze()
            frozen = render_all(docs, args.out)

    print(f"{len(docs)} documents, one CPU, {frozen['kib']:.0f} KiB per PDF on average; times in ms")
    print(f"{'garbage collector':<20} {'XML p50':>8} {'PDF p50':>8} {'PDF p95':>8} {'PDFs/s':>7} {'per CPU s':>9} {'with XML':>9}")
    for label, r in (("default", default), ("gc.freeze() at boot", frozen)):
        print(f"{label:<20} {r['xml_ms']:>8.1f} {r['pdf_ms']:>8.1f} {r['p95_ms']:>8.1f} "
              f"{r['per_s']:>7.1f} {r['per_cpu_s']:>9.1f} {r['all_per_s']:>9.1f}")
    print("PDF: facturx_pdf (template, WeasyPrint PDF/A-3b, factur-x embedding); PDFs/s = count / sum of PDF times;")
    print("per CPU s: the same over the process's CPU time (what other processes on the machine do not inflate);")
    print("with XML: count / wall time of the loop, XML generation and file writing included.")

if __name__ == "__main__":
    main()
