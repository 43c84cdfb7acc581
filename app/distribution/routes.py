"""Distribution pages (being written)."""
