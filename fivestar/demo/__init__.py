"""The demo: a plausible after-sales organisation with its history, and ``fivestar demo``."""
