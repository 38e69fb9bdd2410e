"""The batch runner behind `qwenasr transcribe`: the engine on a worker thread, the main
thread drawing progress, writing each finished file and listening for Ctrl-C.

The worker only recognizes and reports over a queue; the main thread writes. So a cancel is
answered at once (however long the engine's current step), nothing is written after the user
said stop, and every file finished before it is on disk.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cli_outputs import OutputFormat, write_transcript
from .cli_progress import BatchProgress
from .core.transcript import Transcript, clock
from .engines.base import (
    CancelToken,
    ChunkDone,
    Engine,
    EngineCancelledError,
    EngineError,
    RecognitionOptions,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130
WORKER_NAME = "qwenasr-transcribe"


# --- events from the worker thread ------------------------------------------------------------

@dataclass
class Progressed:
    index: int
    fraction: float
    detail: str = ""


@dataclass
class Finished:
    index: int
    transcript: Transcript | None = None
    error: str = ""


@dataclass
class WorkerEnded:
    error: str = ""  # set when the whole run failed (not one file)


@dataclass
class Outcome:
    source: Path
    output: Path | None = None
    transcript: Transcript | None = None
    error: str = ""
    done: bool = False


@dataclass
class BatchReport:
    outcomes: list[Outcome] = field(default_factory=list)
    cancelled: bool = False
    fatal: str = ""  # the run stopped as a whole (e.g. the service refused the key)
    worker: threading.Thread | None = field(default=None, repr=False)

    def summary(self) -> str:
        n = len(self.outcomes)
        written = sum(o.done and not o.error for o in self.outcomes)
        failed = [o for o in self.outcomes if o.error]
        text = f"{n} file{'s' if n != 1 else ''}: {written} written"
        if failed:
            text += f", {len(failed)} failed: " + "; ".join(
                f"{o.source}: {_one_line(o.error)}" for o in failed)
        pending = n - written - len(failed)
        if self.cancelled:
            return f"cancelled: {text}, {pending} not done"
        if self.fatal:
            text += f"{', ' if not failed else '; '}{pending} not done; stopped: {_one_line(self.fatal)}"
        return text

    @property
    def exit_code(self) -> int:
        if self.cancelled:
            return EXIT_CANCELLED
        return EXIT_FAILED if self.fatal or any(o.error for o in self.outcomes) else EXIT_OK


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- the worker -----------------------------------------------------------------------------------

Post = Callable[[object], None]


def recognize_each(engine: Engine, inputs: Sequence[Path], options: RecognitionOptions,
                   post: Post, cancel: CancelToken) -> None:
    """One recognition per file (the offline engine); the bar follows the audio position."""
    for i, path in enumerate(inputs):
        cancel.raise_if_cancelled()

        def chunk(c: ChunkDone, i: int = i) -> None:
            cp = c.checkpoint
            post(Progressed(i, cp.fraction, f"{clock(cp.position_ms)} / {clock(cp.duration_ms)}"))

        post(Progressed(i, 0.0, "starting"))
        try:
            post(Finished(i, engine.recognize(path, options, cancel=cancel, on_chunk=chunk)))
        except EngineCancelledError:
            raise
        except EngineError as e:
            post(Finished(i, error=str(e)))
        except Exception as e:  # one odd file must not cost the others their transcripts
            post(Finished(i, error=f"unexpected {type(e).__name__}: {e}"))


def recognize_batch(engine: Engine, inputs: Sequence[Path], options: RecognitionOptions,
                    post: Post, cancel: CancelToken) -> None:
    """The cloud: one task for the batch (DashScopeEngine.recognize_files)."""
    from .engines.dashscope.engine import DashScopeEngine

    assert isinstance(engine, DashScopeEngine)
    engine.recognize_files(
        [str(p) for p in inputs], options, cancel=cancel,
        progress=lambda i, stage, frac: post(Progressed(i, frac, stage)),
        on_file=lambda i, r: post(Finished(i, r.transcript, str(r.error) if r.error else "")))


def _work(run: Callable[..., None], engine: Engine, inputs: Sequence[Path], options: RecognitionOptions,
          post: Post, cancel: CancelToken) -> None:
    try:
        run(engine, inputs, options, post, cancel)
        post(WorkerEnded())
    except EngineCancelledError:
        post(WorkerEnded("cancelled"))
    except EngineError as e:
        post(WorkerEnded(str(e)))
    except Exception as e:
        post(WorkerEnded(f"unexpected {type(e).__name__}: {e}"))


def run_batch(engine: Engine, inputs: list[Path], outputs: list[Path | None], options: RecognitionOptions,
              fmt: OutputFormat, progress: BatchProgress) -> BatchReport:
    """Recognize every input, writing each output as soon as its transcript is in (outputs[i]
    None: keep the transcript in the report instead). Ctrl-C cancels: the engine is told to
    stop and this returns at once; files already written stay."""
    report = BatchReport([Outcome(p, o) for p, o in zip(inputs, outputs, strict=True)])
    events: queue.SimpleQueue = queue.SimpleQueue()
    cancel = CancelToken()
    # An engine that uploads files transcribes a batch as one cloud task; others go file by file.
    run = recognize_batch if engine.capabilities.file_upload else recognize_each
    worker = threading.Thread(target=_work, args=(run, engine, inputs, options, events.put, cancel),
                              name=WORKER_NAME, daemon=True)
    worker.start()
    report.worker = worker
    try:
        while True:
            try:
                ev = events.get(timeout=0.2)  # a timeout keeps Ctrl-C deliverable on every platform
            except queue.Empty:
                continue
            if isinstance(ev, WorkerEnded):
                report.fatal = "" if ev.error == "cancelled" else ev.error
                break
            _handle(ev, report, fmt, progress)
    except KeyboardInterrupt:
        cancel.cancel()
        report.cancelled = True
    finally:
        progress.close()
    return report


def _handle(ev: object, report: BatchReport, fmt: OutputFormat, progress: BatchProgress) -> None:
    if isinstance(ev, Progressed):
        progress.show(ev.index, str(report.outcomes[ev.index].source), ev.fraction, ev.detail)
        return
    assert isinstance(ev, Finished)
    o = report.outcomes[ev.index]
    o.done, o.transcript, o.error = True, ev.transcript, ev.error
    if not o.error and o.output is not None and o.transcript is not None:
        try:
            write_transcript(o.output, o.transcript, fmt, title=o.source.stem)
        except OSError as e:
            o.error = f"cannot write {o.output}: {e.strerror or e}"
        except UnicodeEncodeError as e:
            o.error = f"cannot write {o.output}: the text is not valid Unicode ({e.reason})"
    if o.output is None:  # printing one transcript: its error (if any) is printed after the bar
        progress.file_done(None)
    elif o.error:
        progress.file_done(f"failed: {o.source}: {_one_line(o.error)}")
    else:
        progress.file_done(f"wrote {o.output}")


def stop_now(report: BatchReport | None) -> int:
    """After Ctrl-C: the exit code, once the engine has stopped (the offline engine raises within a
    decoder step; a native stage it left running is waited for at exit, engines/local/
    interruptible.py); or, when an engine is still inside a long call after 0.2 s, end the process
    here. Shutting the interpreter down under a running decoder thread crashes it (SIGSEGV or
    SIGABRT seen with the native decoders), and the user asked to stop now. Every finished file
    is already written: the worker only recognizes, the main thread writes."""
    workers = [report.worker] if report is not None and report.worker is not None else [
        t for t in threading.enumerate() if t.name == WORKER_NAME]
    for w in workers:
        w.join(0.2)
    if any(w.is_alive() for w in workers):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_CANCELLED)
    return EXIT_CANCELLED
