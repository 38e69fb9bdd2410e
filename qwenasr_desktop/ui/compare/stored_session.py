"""Showing a stored comparison on the compare page (History's "Reopen"): its audio, settings,
context, reference and both transcripts, as they were when it was made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.compare import ExportInfo, Side
from ...engines.engine_labels import engine_label

if TYPE_CHECKING:
    from .compare_page import ComparePage


def show_stored_session(page: ComparePage, session_id: int) -> None:
    s = page.sessions.load(session_id)
    if page.audio_path:
        page._references[page.audio_path] = page.view.reference.toPlainText()
    page.session_id = session_id
    page.audio_path = s.audio_path
    page.run_box.set_rejected("")
    page.run_box.set_warnings([])
    page.view.columns.set_idle()
    if s.audio_path:
        page.source.set_file(s.audio_path)
    page.listen.set_audio(s.audio_path)
    page.listen.set_session(session_id if (s.transcript_a or s.transcript_b) else None)
    page.context_panel.set_context(s.context)
    hot = s.hotword_list.items if s.hotword_list else []
    adds = s.settings.get("b_adds", [])
    page.view.info = ExportInfo(audio=s.audio_path, engine=engine_label(s.engine), model=s.model)
    page.view.reference.blockSignals(True)
    page.view.set_reference(s.reference)
    page.view.reference.blockSignals(False)
    page.transcripts = {Side.A: s.transcript_a, Side.B: s.transcript_b}
    page.view.set_transcripts(s.transcript_a, s.transcript_b, hot, " and ".join(adds) or "nothing")
