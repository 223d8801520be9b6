"""Form fields for French input: decimal commas, spaces between thousands, euro amounts.

Every number typed in a form goes through :func:`parse_french_decimal`: bounded length,
digits only (no exponent, no ``inf``/``nan``), so no input can make the server compute
with a ten-thousand-digit number. Amounts become integer cents at this layer
(:class:`EuroField`); services only ever receive cents.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from wtforms import Field, SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget, TelInput, TextInput

from marketplace.errors import DomainError
from marketplace.formatting import euros, format_phone
from marketplace.platform.identifiers import MAX_PHONE_CHARS, normalize_phone

NUMBER_MESSAGE = "Saisissez un nombre, par exemple 450 ou 1,5."
AMOUNT_MESSAGE = "Saisissez un montant en euros, par exemple 450 ou 1 234,56."
INTEGER_MESSAGE = "Saisissez un nombre entier."
# Longest text accepted in a number field ("1 000 000 000,00 €" fits; a 30-digit number does not).
MAX_NUMBER_CHARS = 24
# The largest amount a money field hands on (one billion euros): any value below it is
# computable and comparable; each service then applies its own domain bounds.
MAX_AMOUNT_CENTS = 100_000_000_000
_NUMBER = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?")
_SPACES = str.maketrans("", "", " \u00a0\u202f\t")


def parse_french_decimal(text: str | None) -> Decimal | None:
    """``"1 234,50 €"`` → ``Decimal('1234.50')``; empty → None; ValueError when not a plain number."""
    raw = (text or "").strip()
    if len(raw) > MAX_NUMBER_CHARS:
        raise ValueError(NUMBER_MESSAGE)
    cleaned = raw.translate(_SPACES).removesuffix("€").removesuffix("%")
    if not cleaned:
        return None
    if "," in cleaned:
        # French: the comma is the decimal mark, a dot can only group thousands.
        cleaned = cleaned.replace(".", "").replace(",", ".", 1)
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(NUMBER_MESSAGE)
    return Decimal(cleaned)


def format_french_decimal(value: Decimal | int | None) -> str:
    """``Decimal('1.50')`` → ``"1,5"`` (no grouping, so the value reads back as typed)."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def euros_to_cents(value: Decimal | None) -> int | None:
    """Euros → integer cents (half a cent rounds up)."""
    if value is None:
        return None
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_to_euros(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


class FrenchDecimalField(Field):
    """A number typed the French way (``1,5``, ``32 000``, ``450 €``), kept as ``Decimal``.

    ``minimum``/``maximum`` bound it, with a French message beside the field.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, message: str = NUMBER_MESSAGE, *,
                 minimum: Decimal | int | None = None, maximum: Decimal | int | None = None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "maxlength": MAX_NUMBER_CHARS,
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.message = message
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)

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
        self._check_bounds()

    def _check_bounds(self) -> None:
        value = self.data
        if value is None:
            return
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            self.data = None
            raise ValueError(self.bounds_message())

    def bounds_message(self) -> str:
        low, high = format_french_decimal(self.minimum), format_french_decimal(self.maximum)
        if self.minimum is not None and self.maximum is not None:
            return f"Indiquez un nombre entre {low} et {high}."
        if self.minimum is not None:
            return f"Indiquez un nombre d'au moins {low}."
        return f"Indiquez un nombre d'au plus {high}."


class FrenchIntegerField(FrenchDecimalField):
    """A whole number, bounded, with a French message when it is not one."""

    def __init__(self, label=None, validators=None, message: str = INTEGER_MESSAGE, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(label, validators, message=message, **kwargs)

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None:
            if self.data != self.data.to_integral_value():
                self.data = None
                raise ValueError(self.message)
            self.data = int(self.data)


class EuroField(FrenchDecimalField):
    """An amount in euros typed the French way (« 1 234,56 », « 450 € »); ``data`` is integer cents.

    Beyond ``min_cents``/``max_cents`` the field says so in French instead of handing the
    service an amount it cannot hold; the domain's own bounds (a budget between 100 € and
    2 000 €) are the service's, which names the field in its error.
    """

    def __init__(self, label=None, validators=None, message: str = AMOUNT_MESSAGE, *,
                 min_cents: int | None = None, max_cents: int = MAX_AMOUNT_CENTS, **kwargs):
        super().__init__(label, validators, message=message, **kwargs)
        self.min_cents, self.max_cents = min_cents, max_cents

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_french_decimal(cents_to_euros(self.data))

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        try:
            amount = parse_french_decimal(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(self.message) from exc
        if amount is not None and amount != amount.quantize(Decimal("0.01")):
            self.data = None
            raise ValueError("Un montant a deux décimales au plus (les centimes).")
        self.data = euros_to_cents(amount)
        if self.data is None:
            return
        if (self.min_cents is not None and self.data < self.min_cents) or self.data > self.max_cents:
            self.data = None
            raise ValueError(self.bounds_message())

    def bounds_message(self) -> str:
        if self.min_cents:
            return f"Indiquez un montant entre {euros(self.min_cents)} et {euros(self.max_cents)}."
        return f"Indiquez un montant d'au plus {euros(self.max_cents)}."


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multiple choice (rendered by the ``field`` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PhoneField(StringField):
    """The one phone field: French numbers by default (« 06 11 22 33 44 »), others with their ``+``.

    ``data`` is E.164 (``+33611223344``), the form services store; the field shows a stored
    number formatted (« 06 11 22 33 44 ») and a refused one as it was typed.
    """

    widget = TelInput()

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [*(validators or []), Length(max=MAX_PHONE_CHARS)]
        render_kw = {"autocomplete": "tel", "inputmode": "tel", "maxlength": MAX_PHONE_CHARS,
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_phone(self.data)

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        try:
            self.data = normalize_phone(valuelist[0])
        except DomainError as exc:
            self.data = None
            raise ValueError(exc.message) from exc
