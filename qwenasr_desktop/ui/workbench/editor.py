"""The transcript editor: one paragraph per timed sentence, a gutter with time and speaker.

Editing is plain typing; after each change the edited paragraph is re-applied to its sentence
(core.transcript_edit.apply_text_edit), so untouched words keep their times and the change is
autosaved by the page. Paragraphs never merge or split (a sentence is a time span): Enter,
Backspace at a paragraph's start and Delete at its end are refused with a message, pasted line
breaks become spaces, and any other change that would alter the paragraph count is undone.

Word k of sentence i is token k of paragraph i (core.transcript_edit.tokenize), which is how a
click finds the word to seek to and how playback highlights the word being spoken.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from PySide6.QtCore import QEvent, QMimeData, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ...core.export import speaker_name
from ...core.transcript import Sentence, clock
from ...core.transcript_edit import Token, apply_text_edit, sentence_display_text, tokenize, word_at
from .gutter import Gutter

PLAYING = QColor("#ffe08a")
FOUND = QColor("#c6e2ff")
SHADE = QColor("#e8eef6")


class TranscriptEditor(QPlainTextEdit):
    sentenceEdited = Signal(int, object)  # index, Sentence
    seekRequested = Signal(int)  # ms
    renameSpeaker = Signal(int)
    cursorMoved = Signal(int, int)  # sentence index, offset in it
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sentences: list[Sentence] = []
        self.originals: list[Sentence] = []
        self._shading: list[QTextEdit.ExtraSelection] = []
        self.speaker_names: dict[int, str] = {}
        self._begins: list[int] = []
        self.start_labels: list[str] = []  # each sentence's start as the gutter shows it
        self._cursor_block = -1
        self._loading = False
        self._playing: tuple[int, int] | None = None
        self._found: list[QTextCursor] = []
        self._press_pos = None
        self.action_keys: list[QKeySequence] = []  # the workbench's keys win over the editor's own
        self.gutter = Gutter(self)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.setFont(font)
        self.document().setDocumentMargin(8)
        self.blockCountChanged.connect(lambda _n: self._update_margins())
        self.updateRequest.connect(self._on_update_request)
        self.document().contentsChange.connect(self._on_contents_change)
        self.cursorPositionChanged.connect(self._on_cursor)
        self._update_margins()

    # ------------------------------------------------------------------ content
    def set_sentences(self, sentences: list[Sentence], names: dict[int, str],
                      originals: list[Sentence] | None = None) -> None:
        """`originals`: the engine's sentences. Edits are always aligned against them, so a word
        keeps the engine's time however often its neighbours change, and undo restores exactly."""
        self._loading = True
        try:
            self.sentences = list(sentences)
            self.originals = list(originals) if originals is not None else list(sentences)
            self.speaker_names = dict(names)
            self._begins = [s.begin_ms for s in self.sentences]
            self.start_labels = [clock(ms) for ms in self._begins]
            self.setPlainText("\n".join(sentence_display_text(s) for s in self.sentences))
            self.document().clearUndoRedoStacks()
        finally:
            self._loading = False
        self._playing = None
        self._found = []
        self._make_shading()
        self._update_margins()
        self._refresh_selections()

    def set_speaker_names(self, names: dict[int, str]) -> None:
        self.speaker_names = dict(names)
        self._update_margins()
        self.gutter.update()

    def tokens(self, index: int) -> list[Token]:
        return tokenize(self.document().findBlockByNumber(index).text())

    def place_cursor(self, index: int, offset: int) -> None:
        block = self.document().findBlockByNumber(max(0, min(index, self.document().blockCount() - 1)))
        cur = QTextCursor(block)
        cur.setPosition(block.position() + max(0, min(offset, block.length() - 1)))
        self.setTextCursor(cur)
        self.ensureCursorVisible()

    def cursor_place(self) -> tuple[int, int]:
        cur = self.textCursor()
        return cur.blockNumber(), cur.positionInBlock()

    def insert_marker(self, marker: str) -> None:
        """A timestamp or tag as a word of its own at the cursor, spaces added where needed."""
        cur = self.textCursor()
        cur.clearSelection()
        text, col = cur.block().text(), cur.positionInBlock()
        lead = " " if col > 0 and not text[col - 1].isspace() else ""
        trail = " " if col < len(text) and not text[col].isspace() else ""
        cur.insertText(lead + marker + trail)
        self.setTextCursor(cur)

    # ------------------------------------------------------------------ edits
    def _on_contents_change(self, pos: int, _removed: int, added: int) -> None:
        if self._loading:
            return
        if self.document().blockCount() != len(self.sentences):
            self.message.emit("Each paragraph is one timed sentence: they cannot be joined or split. "
                              "Change undone.")
            QTimer.singleShot(0, self._undo_structure_change)
            return
        first = self.document().findBlock(pos).blockNumber()
        last = self.document().findBlock(pos + added).blockNumber()
        for i in range(max(0, first), min(last, len(self.sentences) - 1) + 1):
            text = self.document().findBlockByNumber(i).text()
            new = replace(apply_text_edit(self.originals[i], text).sentence,
                          speaker=self.sentences[i].speaker)
            if new != self.sentences[i]:
                self.sentences[i] = new
                self.sentenceEdited.emit(i, new)
        self._refresh_selections()

    def _undo_structure_change(self) -> None:
        if self.document().blockCount() != len(self.sentences):
            self.undo()

    def event(self, e: QEvent) -> bool:
        # Without this, keys the text editor knows (Ctrl+Right, Ctrl+K...) would never reach a
        # workbench shortcut the user bound to them.
        if e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent):
            combo = QKeySequence(e.keyCombination())
            if any(combo.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in self.action_keys):
                e.ignore()
                return False
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        cur = self.textCursor()
        key = e.key()
        spans_blocks = (cur.hasSelection() and self.document().findBlock(cur.selectionStart()).blockNumber()
                        != self.document().findBlock(cur.selectionEnd()).blockNumber())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.message.emit("Enter does not split a sentence: each paragraph keeps its own times.")
            return
        if not cur.hasSelection() and (
                (key == Qt.Key.Key_Backspace and cur.atBlockStart())
                or (key == Qt.Key.Key_Delete and cur.atBlockEnd())):
            self.message.emit("Sentences cannot be joined: each paragraph keeps its own times.")
            return
        if spans_blocks and (e.text().strip() or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)):
            self.message.emit("Select text inside one sentence to change it.")
            return
        super().keyPressEvent(e)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            self.textCursor().insertText(" ".join(source.text().split()))

    # ------------------------------------------------------------------ clicks
    def mousePressEvent(self, e: QMouseEvent) -> None:
        self._press_pos = e.position().toPoint()
        super().mousePressEvent(e)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        super().mouseReleaseEvent(e)
        here = e.position().toPoint()
        moved = self._press_pos is not None and (here - self._press_pos).manhattanLength() > 4
        if e.button() == Qt.MouseButton.LeftButton and not moved and not self.textCursor().hasSelection():
            ms = self.time_at_cursor(self.cursorForPosition(e.position().toPoint()))
            if ms is not None:
                self.seekRequested.emit(ms)

    def time_at_cursor(self, cur: QTextCursor | None = None) -> int | None:
        """Start of the word under the cursor (or of its sentence between words)."""
        cur = cur or self.textCursor()
        i, col = cur.blockNumber(), cur.positionInBlock()
        if not 0 <= i < len(self.sentences):
            return None
        s = self.sentences[i]
        toks = self.tokens(i)
        if len(toks) != len(s.words):
            return s.begin_ms
        for k, t in enumerate(toks):
            if t.start <= col <= t.end:
                return s.words[k].begin_ms
            if col < t.start:
                return s.words[k].begin_ms
        return s.words[-1].begin_ms if s.words else s.begin_ms

    # ------------------------------------------------------------------ playback highlight
    def locate(self, ms: int) -> tuple[int, int | None] | None:
        i = bisect.bisect_right(self._begins, ms) - 1
        if i < 0 or not self.sentences:
            return None
        return i, word_at(self.sentences[i], ms)

    def show_playing(self, ms: int, follow: bool = True) -> None:
        where = self.locate(ms)
        playing = (where[0], where[1]) if where and where[1] is not None else None
        if playing == self._playing:
            return
        self._playing = playing
        self._refresh_selections()
        if follow and playing is not None:
            self._keep_in_view(*playing)

    def _keep_in_view(self, i: int, k: int) -> None:
        """Scrolls so the played word sits a third down the view. The scroll bar of a plain-text
        editor counts lines, not pixels (scrolling by a pixel distance overshot, so the next tick
        scrolled back and every tick repainted the whole view): the word's line is found from its
        block's first line and its line inside the block."""
        cur = self._token_cursor(i, k)
        if cur is None:
            return
        rect = self.cursorRect(cur)
        if self.viewport().rect().contains(rect):
            return
        block = cur.block()
        line = block.firstLineNumber()
        if block.layout() is not None and block.layout().lineCount() > 0:
            line += block.layout().lineForTextPosition(cur.selectionStart() - block.position()).lineNumber()
        above = self.viewport().height() // 3 // max(1, rect.height())
        self.verticalScrollBar().setValue(max(0, line - above))

    @property
    def playing_word(self) -> tuple[int, int] | None:
        return self._playing

    def _token_cursor(self, i: int, k: int) -> QTextCursor | None:
        toks = self.tokens(i)
        if k >= len(toks):
            return None
        block = self.document().findBlockByNumber(i)
        cur = QTextCursor(block)
        cur.setPosition(block.position() + toks[k].start)
        cur.setPosition(block.position() + toks[k].start + len(toks[k].text), QTextCursor.MoveMode.KeepAnchor)
        return cur

    # ------------------------------------------------------------------ search
    def find_all(self, text: str) -> list[QTextCursor]:
        self._found = []
        if text:
            cur = self.document().find(text)
            while not cur.isNull():
                self._found.append(cur)
                cur = self.document().find(text, cur)
        self._refresh_selections()
        return self._found

    def _shaded_blocks(self) -> list[int]:
        """Every other speaker turn (or every other sentence without speakers) is shaded, so
        where one sentence or turn ends and the next begins is visible at a glance."""
        out, turn, prev = [], 0, object()
        has_speakers = any(s.speaker is not None for s in self.sentences)
        for i, s in enumerate(self.sentences):
            key = s.speaker if has_speakers else i
            if key != prev and i > 0:
                turn += 1
            prev = key
            if turn % 2:
                out.append(i)
        return out

    def _make_shading(self) -> None:
        # Built once per document: the cursors move along with edits by themselves.
        self._shading = []
        fmt = QTextCharFormat()
        fmt.setBackground(SHADE)
        fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
        for i in self._shaded_blocks():
            sel = QTextEdit.ExtraSelection()
            sel.cursor = QTextCursor(self.document().findBlockByNumber(i))
            sel.format = fmt
            self._shading.append(sel)

    def _refresh_selections(self) -> None:
        sels = list(self._shading)
        for cur in self._found:
            sel = QTextEdit.ExtraSelection()
            sel.cursor = cur
            fmt = QTextCharFormat()
            fmt.setBackground(FOUND)
            sel.format = fmt
            sels.append(sel)
        if self._playing is not None:
            cur = self._token_cursor(*self._playing)
            if cur is not None:
                sel = QTextEdit.ExtraSelection()
                sel.cursor = cur
                fmt = QTextCharFormat()
                fmt.setBackground(PLAYING)
                fmt.setFontUnderline(True)
                sel.format = fmt
                sels.append(sel)
        self.setExtraSelections(sels)

    # ------------------------------------------------------------------ gutter
    def gutter_width(self) -> int:
        fm = self.fontMetrics()
        bold = self.font()
        bold.setBold(True)
        bfm = QFontMetrics(bold)
        names = {speaker_name(s.speaker, self.speaker_names) for s in self.sentences[:2000]}
        widest = max((bfm.horizontalAdvance(n) for n in names if n), default=0)
        return 24 + fm.horizontalAdvance("00:00:00") + widest

    def _update_margins(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        cr = self.contentsRect()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), self.gutter_width(), cr.height()))

    def resizeEvent(self, e) -> None:
        super().resizeEvent(e)
        self._update_margins()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def block_at_y(self, y: float) -> int | None:
        block = self.firstVisibleBlock()
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        while block.isValid():
            bottom = top + self.blockBoundingRect(block).height()
            if top <= y < bottom:
                return block.blockNumber() if block.blockNumber() < len(self.sentences) else None
            top = bottom
            block = block.next()
        return None

    def _on_cursor(self) -> None:
        block = self.textCursor().blockNumber()
        if block != self._cursor_block:  # the current sentence's time is drawn darker
            self._cursor_block = block
            self.gutter.update()
        if not self._loading:
            self.cursorMoved.emit(*self.cursor_place())
