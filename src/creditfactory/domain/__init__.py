"""Entities and value objects shared by every part; pure, no I/O."""
