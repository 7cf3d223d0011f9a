"""Continuity Monitor: watches meeting-usage exports and flags drops in learning activity."""

__version__ = "0.1.0"
