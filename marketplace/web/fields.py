"""Form fields for French input: decimal commas, spaces between thousands, euro amounts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wtforms import Field, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

NUMBER_MESSAGE = "Saisissez un nombre, par exemple 450 ou 1,5."


def parse_french_decimal(text: str) -> Decimal | None:
    """``"1 234,50 €"`` → ``Decimal('1234.50')``; empty → None; ValueError when not a number."""
    cleaned = (text or "").strip()
    for junk in ("\u00a0", "\u202f", " ", "€", "%"):
        cleaned = cleaned.replace(junk, "")
    if not cleaned:
        return None
    if "," in cleaned:
        # French: the comma is the decimal mark, a dot can only group thousands.
        cleaned = cleaned.replace(".", "").replace(",", ".", 1)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(NUMBER_MESSAGE) from exc
    if not value.is_finite():
        raise ValueError(NUMBER_MESSAGE)
    return value


def format_french_decimal(value: Decimal | int | None) -> str:
    """``Decimal('1.50')`` → ``"1,5"`` (no grouping, so the value reads back as typed)."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


class FrenchDecimalField(Field):
    """A number typed the French way (``1,5``, ``32 000``, ``450 €``), kept as ``Decimal``."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, message: str = NUMBER_MESSAGE, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.message = message

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_french_decimal(self.data)

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_french_decimal(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(self.message) from exc


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multiple choice (rendered by the ``field`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def euros_to_cents(value: Decimal | None) -> int | None:
    """Euros typed in a form → integer cents (half a cent rounds up)."""
    if value is None:
        return None
    return int((value * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def cents_to_euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


class FrenchIntegerField(FrenchDecimalField):
    """A whole number, with a French message when it is not one."""

    def __init__(self, label=None, validators=None, message: str = "Saisissez un nombre entier.", **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, message=message, **kwargs)

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            if self.data != self.data.to_integral_value():
                self.data = None
                raise ValueError(self.message)
            self.data = int(self.data)
