"""HTTP layer. Keep logic in invoices.py; this module only translates."""

from datetime import date

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from invoice_service.invoices import LineItem, build_invoice

app = FastAPI(title="invoice-service")


class LineItemIn(BaseModel):
    description: str
    quantity: int
    unit_price_cents: int


class InvoiceRequest(BaseModel):
    country: str
    sequence: int
    items: list[LineItemIn]


@app.post("/invoices")
def create_invoice(req: InvoiceRequest) -> dict:
    items = [LineItem(i.description, i.quantity, i.unit_price_cents) for i in req.items]
    try:
        invoice = build_invoice(items, req.country, date.today(), req.sequence)
    except KeyError:
        raise HTTPException(status_code=422, detail=f"unsupported country: {req.country}")
    return {
        "number": invoice.number,
        "country": invoice.country,
        "net_cents": invoice.net_cents,
        "vat_cents": invoice.vat_cents,
        "gross_cents": invoice.gross_cents,
    }


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}
