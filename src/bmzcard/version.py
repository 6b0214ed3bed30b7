"""bmzcard's version, recorded in sidecars, SARIF reports and timings (also `bmzcard.__version__`)."""

__version__ = "0.1.0"
