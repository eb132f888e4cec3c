"""The booking pages."""
