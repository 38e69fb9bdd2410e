"""Everything Qt: windows, widgets, Qt models and delegates, background jobs. The only package
(with app.py) that imports PySide6."""
