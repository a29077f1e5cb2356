"""Services behind the staff console: topic lists, topic detail, inbox."""
