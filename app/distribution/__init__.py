"""Distribution: revenue reports, the exact split of each paid-in pool, wallets, statements, payouts.

Above funding (it reads the cap table) and the ledger (every part is a ledger transaction); the
split itself is `app.proposals.revenue_split`, the same function the proposal page's worked example uses.
"""
from flask import Blueprint

bp = Blueprint("distribution", __name__)

from app.distribution import routes  # noqa: E402,F401
