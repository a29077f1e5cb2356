"""Read models for screens: they read; the loop services write."""
