"""The demo hall loaded by `python manage.py seed_demo`: its data and how it is seeded."""
