"""The transcriptionist's workbench: correct a transcript while listening, then export it."""
