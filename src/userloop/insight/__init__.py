"""Install base, segments, priority and emerging issues (arriving with issue 12)."""
