"""The parts of bench/tablets_polling.py: 50 rating tablets polling while the console works."""
