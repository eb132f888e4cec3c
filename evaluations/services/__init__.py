"""Writes with a business rule of the evaluations app, one module per subject."""
