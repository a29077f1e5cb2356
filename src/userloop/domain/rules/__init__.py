"""Pure domain rules (no I/O, nothing of ours outside the domain): build order now; priority,
emerging issues and release gates as they arrive."""
