"""The context panel: prior conversation passed with the audio (models that support context)."""
