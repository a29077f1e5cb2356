"""Channels, rollout plans, health gates and changelog (arriving with issue 13)."""
