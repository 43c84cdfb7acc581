"""The double-entry ledger: accounts, transactions, entries, `post()`, and the checks behind `flask ledger check`.

Bookkeeping only: it imports `app.core`, `app.auth` and `app.extensions`, never the features that
move money (funding, distribution); they call it. The verbs are in `operations.py` (`account`,
`post`, `reverse`), the reads in `queries.py`, the checks in `checks.py`, the account kinds in
`kinds.py`.
"""
