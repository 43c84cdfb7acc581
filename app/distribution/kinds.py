"""The ledger accounts distribution adds: organizations' wallets and payouts on hold."""
from app.ledger.kinds import register_kind

ORGANIZATION_WALLET = register_kind("organization_wallet", "organization",
                                    description="what the platform owes an organization (matched units' income)")
PAYOUT_HOLD = register_kind("payout_hold", "payout", description="wallet money asked for, until paid or returned")
