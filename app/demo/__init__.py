"""Demo content for `make run`: Korean ideas, people and proposals, made through the operations."""
