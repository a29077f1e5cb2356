"""Background work: the triage worker loop and its schedules."""
