"""The Settings dialog: cloud region and key, defaults, audio device, folders, appearance, logs."""
