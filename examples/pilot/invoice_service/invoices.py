"""Invoice domain logic: totals, VAT and invoice numbers.

Amounts are integers in cents to avoid floating-point rounding surprises.
"""

from dataclasses import dataclass
from datetime import date

# Standard VAT rates in percent. Reduced rates are not supported yet (TODO.md).
VAT_RATES = {"DE": 19, "AT": 20, "FR": 20, "NL": 21}


@dataclass(frozen=True)
class LineItem:
    description: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class Invoice:
    number: str
    country: str
    net_cents: int
    vat_cents: int

    @property
    def gross_cents(self) -> int:
        return self.net_cents + self.vat_cents


def net_total(items: list[LineItem]) -> int:
    """Sum of quantity * unit price over all line items, in cents."""
    return sum(item.quantity * item.unit_price_cents for item in items)


def vat_for(net_cents: int, country: str) -> int:
    """VAT in cents, rounded half up. Raises KeyError for unknown countries."""
    rate = VAT_RATES[country.upper()]
    return (net_cents * rate + 50) // 100


def invoice_number(issued: date, sequence: int) -> str:
    """Numbers look like INV-2026-000042; the sequence restarts every year."""
    return f"INV-{issued.year}-{sequence:06d}"


def build_invoice(items: list[LineItem], country: str, issued: date, sequence: int) -> Invoice:
    net = net_total(items)
    return Invoice(
        number=invoice_number(issued, sequence),
        country=country.upper(),
        net_cents=net,
        vat_cents=vat_for(net, country),
    )
