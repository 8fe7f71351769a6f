"""Pishkhan Desk: the counter application of Iran's government-service offices."""

__version__ = "0.1.0"
