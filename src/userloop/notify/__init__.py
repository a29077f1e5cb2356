"""Notifications to reporters: a Protocol in base.py and one module per channel."""
