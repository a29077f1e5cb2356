"""Repositories, one per aggregate: each returns domain objects."""
