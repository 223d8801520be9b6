"""Validate every Factur-X PDF of a folder, as /work/shared/tools/check_facturx.py judges them.

    python benchmarks/facturx_check.py DIR

For each PDF: the embedded XML is read back (``facturx.get_xml_from_pdf``) and run through
``services.billing.validation`` (XSD, EN16931 and BR-FR schematrons); then the numbers of
each seller must be unique and without gap, in one series or one series per document type.
Prints the first problems, then one summary line; exits 0 when everything passes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import facturx  # noqa: E402
from lxml import etree  # noqa: E402

from marketplace.services.billing import validation  # noqa: E402

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def _gapless(numbers: list[str]) -> bool:
    tails = sorted(int(m.group(1)) for n in numbers if (m := re.search(r"(\d+)$", n)))
    return not tails or tails[-1] - tails[0] + 1 == len(tails)


def numbering_problems(series: dict[tuple[str, str], list[str]]) -> list[str]:
    """Duplicate or missing numbers per seller (one series, or one per document type)."""
    problems = []
    for seller in sorted({seller for seller, _ in series}):
        per_type = {typ: nums for (sel, typ), nums in series.items() if sel == seller}
        every = [n for nums in per_type.values() for n in nums]
        if len(set(every)) != len(every):
            problems.append(f"duplicate numbers for seller {seller}")
        elif not _gapless(every) and not all(_gapless(nums) for nums in per_type.values()):
            problems.append(f"gap in numbers for seller {seller}: {sorted(every)[:6]}")
    return problems


def check_folder(folder: Path) -> tuple[int, list[str]]:
    """Check every PDF under ``folder``; (exit code, printed lines with the summary last)."""
    pdfs = sorted(folder.rglob("*.pdf"))
    if not pdfs:
        return 1, [f"no PDF in {folder}"]
    errors = warnings = unreadable = 0
    problems: list[str] = []
    series: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in pdfs:
        try:
            _, xml = facturx.get_xml_from_pdf(path.read_bytes(), check_xsd=False)
        except Exception as error:  # noqa: BLE001 - any unreadable PDF is reported, not raised
            xml, reason = None, str(error)
        else:
            reason = "no factur-x.xml attached"
        if not xml:
            unreadable += 1
            problems.append(f"{path.name}: no embedded XML ({reason})")
            continue
        report = validation.check(xml)
        errors += len(report.errors)
        warnings += len(report.warnings)
        problems.extend(f"{path.name}: {message[:160]}" for message in report.errors)
        root = etree.fromstring(xml)
        number = root.findtext(".//rsm:ExchangedDocument/ram:ID", namespaces=NS) or ""
        type_code = root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) or ""
        seller = (
            root.findtext(".//ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
            or root.findtext(".//ram:SellerTradeParty/ram:Name", namespaces=NS)
            or "?"
        )
        series[(seller, type_code)].append(number)
    numbering = numbering_problems(series)
    lines = (problems + numbering)[:10]
    lines.append(
        f"pdfs {len(pdfs)}; failed asserts {errors}; warnings {warnings}; "
        f"unreadable {unreadable}; numbering problems {len(numbering)}"
    )
    return (0 if not errors and not unreadable and not numbering else 1), lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    code, lines = check_folder(args.folder)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
