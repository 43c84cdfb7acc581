"""Funding: rounds, pledges charged into escrow, investor limits, matching pools, closing, the cap table.

Only `stripe_gateway.py` imports `stripe`; everything else speaks to the small interface in
`gateway.py`. Money moves only through `app.ledger.post`.
"""
from flask import Blueprint

bp = Blueprint("funding", __name__)

from app.funding import notices, routes, webhook  # noqa: E402,F401
