"""Celery tasks of this part (imported by reports/tasks.py so the worker registers them)."""
