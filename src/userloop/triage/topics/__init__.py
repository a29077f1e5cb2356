"""Topics: clustering feedback across languages, and how topics are summarised."""
