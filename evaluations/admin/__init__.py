from . import devices, ratings, surveys  # noqa: F401
