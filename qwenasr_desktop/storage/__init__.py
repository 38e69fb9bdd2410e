"""Persistence: SQLite database (migrations in `migrations.py`), one repository module per kind of
data (`hotword_lists.py`; sessions and transcripts come later), and the app's folders (`appdirs.py`).
No Qt here."""
