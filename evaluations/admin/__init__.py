from . import complaints, devices, ratings, surveys  # noqa: F401
