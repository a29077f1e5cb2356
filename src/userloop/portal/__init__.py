"""Services behind the public portal: submitting, voting, topic pages, roadmap, my reports."""
