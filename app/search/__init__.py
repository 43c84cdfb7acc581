"""Search: a Whoosh index with a Korean analyzer built on Kiwi. Only this package imports whoosh.

The blueprint lives in `routes.py` (not here) so that unpickling the index schema, which imports
`app.search.analyzer`, does not drag the web layer in.
"""
