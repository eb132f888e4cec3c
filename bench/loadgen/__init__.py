"""bench/load.py's parts: the async HTTP client, the hall made ready, the profile."""
