"""Triage: language, embedding, kind, sentiment and topic for every piece of feedback."""
