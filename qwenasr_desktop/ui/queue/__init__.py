"""The batch queue: several files or a folder recognized one after another in the background."""
