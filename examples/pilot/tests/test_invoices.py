from datetime import date

from invoice_service.invoices import LineItem, build_invoice, invoice_number, vat_for


def test_vat_rounds_half_up():
    assert vat_for(1050, "DE") == 200  # 199.5 -> 200


def test_invoice_number_is_zero_padded():
    assert invoice_number(date(2026, 11, 2), 42) == "INV-2026-000042"


def test_build_invoice_totals():
    items = [LineItem("Widget", 2, 1000), LineItem("Setup", 1, 500)]
    invoice = build_invoice(items, "de", date(2026, 11, 2), 7)
    assert invoice.net_cents == 2500
    assert invoice.vat_cents == 475
    assert invoice.gross_cents == 2975
    assert invoice.country == "DE"
