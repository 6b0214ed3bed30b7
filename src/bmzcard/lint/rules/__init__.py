"""The rule families of `bmzcard check`, one module each; codes are in `registry.py`."""
