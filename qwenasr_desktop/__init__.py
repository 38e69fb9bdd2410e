"""QwenASR Desktop: speech recognition that gets the user's own words right."""

__version__ = "0.1.0"
