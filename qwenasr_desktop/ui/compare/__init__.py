"""The side-by-side comparison page: two synchronized columns, metrics, hotword hits, export."""
