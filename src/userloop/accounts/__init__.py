"""API tokens now; staff users and sessions later."""
