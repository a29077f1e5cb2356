"""Read queries that join several aggregates for listing and filtering."""
