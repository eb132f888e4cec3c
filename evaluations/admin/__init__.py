from . import complaints, devices, ratings, rectification, surveys  # noqa: F401
