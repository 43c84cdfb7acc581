"""Funding pages (being written)."""
