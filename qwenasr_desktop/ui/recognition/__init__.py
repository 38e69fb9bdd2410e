"""The record / open-file panel: source, engine, model, hotword list, and the A/B run."""
