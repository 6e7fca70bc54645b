"""formcheck: a camera-based form checker for sciatica and low-back rehab exercises."""

__version__ = "0.1.0"
