"""The `userloop` command line."""
