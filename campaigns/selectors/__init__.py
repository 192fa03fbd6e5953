"""Reads returning querysets or small data structures; one module per area."""
