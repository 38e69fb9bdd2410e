"""The hotword list editor: a Qt table model over `core.hotwords.HotwordList`, its delegates,
undo commands, the list sidebar and the page that puts them together."""
