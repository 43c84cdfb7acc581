"""Fixtures live in tests/fixtures/, one module per feature; this file only loads them.

TEST_DATABASE_URL selects PostgreSQL (scripts/with-postgres sets it); SQLite otherwise.
"""
pytest_plugins = [
    "tests.fixtures.core",
    "tests.fixtures.users",
    "tests.fixtures.ideas",
    "tests.fixtures.proposals",
    "tests.fixtures.funding",
    "tests.fixtures.distribution",
]
