"""`qwenasr transcribe FILE|DIR ...`: one file to stdout, or a batch into --output-dir.

Usage checks and options here; the run itself is cli_batch.run_batch (the engine on a worker
thread, the main thread writing files and answering Ctrl-C).

Exit codes: 0 every file written, 1 some file failed (every other file is still written),
2 bad usage or input nothing could start with, 130 cancelled (Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_batch import (
    EXIT_OK,
    EXIT_USAGE,
    run_batch,
    stop_now,
)
from .cli_files import load_hotwords
from .cli_outputs import InputError, OutputFormat, collect_inputs, output_paths
from .cli_progress import BatchProgress
from .core.models import Mode, UnknownModelError, model_info, models_for
from .core.transcript import Transcript
from .engines.base import Engine, EngineError, RecognitionOptions
from .engines.factory import DASHSCOPE, LOCAL

DEFAULT_MODELS = {LOCAL: "base", DASHSCOPE: "fun-asr"}


class UsageError(Exception):
    """Arguments that cannot work together; the message says which and why."""


# --- options ------------------------------------------------------------------------------------

def check_usage(args: argparse.Namespace) -> str:
    """The model to use; UsageError for options that do not fit the engine or the model."""
    model = args.transcribe_model or DEFAULT_MODELS[args.engine]
    if args.vocabulary_id and args.hotwords:
        raise UsageError("--vocabulary-id and --hotwords cannot be used together: give the cloud "
                         "list's id, or a hotword file to make (or reuse) a list from, not both")
    if args.speakers is not None and not 1 <= args.speakers <= 100:
        raise UsageError(f"--speakers takes the number of speakers (1 to 100), got {args.speakers}")
    if args.engine == LOCAL:
        if args.vocabulary_id:
            raise UsageError("--vocabulary-id names a cloud list: it needs --engine dashscope "
                             "(the offline engine takes --hotwords FILE)")
        if args.diarize or args.speakers:
            raise UsageError("--diarize/--speakers need --engine dashscope (the offline engine does "
                             "not separate speakers)")
        return model
    try:
        info = model_info(model)
    except UnknownModelError as e:
        raise UsageError(str(e)) from None
    if info.is_local:
        raise UsageError(f"{model} is an offline model; use --engine local, or a DashScope model "
                         f"such as {DEFAULT_MODELS[DASHSCOPE]}")
    if args.context and not info.supports_context:
        takers = ", ".join(m.name for m in models_for() if m.supports_context and not m.is_local)
        raise UsageError(f"{model} does not take context (--context); models that do: {takers}")
    if (args.hotwords or args.vocabulary_id) and not info.supports_hotwords:
        raise UsageError(f"{model} ignores hotwords; leave out --hotwords/--vocabulary-id or pick "
                         "another model")
    if (args.diarize or args.speakers) and not info.supports(Mode.FILE):
        raise UsageError(f"speaker separation (--diarize) needs a file-transcription model, not {model}")
    return model


def recognition_options(args: argparse.Namespace, model: str, hotwords: list,
                        vocabulary_id: str | None) -> RecognitionOptions:
    from .core.context import Context

    extra: dict = {}
    if args.diarize or args.speakers:
        extra["diarization_enabled"] = True
        if args.speakers:
            extra["speaker_count"] = args.speakers
    hints = [h.strip() for h in (args.language_hints or "").split(",") if h.strip()]
    return RecognitionOptions(model=model, hotwords=hotwords, vocabulary_id=vocabulary_id,
                              language_hints=hints, extra=extra,
                              context=Context.from_texts(args.context) if args.context else None,
                              chinese_script=args.chinese_script)


def cloud_vocabulary(engine: Engine, hotwords: list, model: str, source: str) -> str:
    """A cloud list with the file's hotwords (the cloud takes hotwords only that way)."""
    from .engines.dashscope.engine import DashScopeEngine

    assert isinstance(engine, DashScopeEngine)
    vid, reused = engine.hotword_vocabulary(hotwords, model)
    how = "reusing the identical cloud hotword list" if reused else "created the cloud hotword list"
    print(f"{how} {vid} for {model} from {source} ({len(hotwords)} hotwords)", file=sys.stderr)
    return vid


# --- the command ----------------------------------------------------------------------------------

def cmd_transcribe(args: argparse.Namespace) -> int:
    try:
        model = check_usage(args)
        _check_mode(args)
        inputs = collect_inputs(args.audio, args.recursive) if args.output_dir else [Path(args.audio[0])]
        out_dir = _output_dir(args.output_dir) if args.output_dir else None
    except (UsageError, InputError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    hotwords = load_hotwords(args.hotwords) if args.hotwords else []
    if hotwords is None:
        return EXIT_USAGE
    from .engines.factory import make_engine

    try:
        engine = make_engine(args.engine, region=args.region)
    except EngineError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        vocabulary_id = args.vocabulary_id
        if hotwords and not engine.capabilities.inline_hotwords:
            vocabulary_id, hotwords = cloud_vocabulary(engine, hotwords, model, args.hotwords), []
        options = recognition_options(args, model, hotwords, vocabulary_id)
        if out_dir is None:
            return _print_single(engine, inputs[0], options, args)
        fmt = OutputFormat(args.format or OutputFormat.TXT)
        report = run_batch(engine, inputs, list(output_paths(inputs, out_dir, fmt)), options, fmt,
                           BatchProgress(len(inputs)))
        print(report.summary(), file=sys.stderr)
        return stop_now(report) if report.cancelled else report.exit_code
    except EngineError as e:  # the hotword list could not be made: nothing was recognized
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # outside a batch's own handling (making the hotword list...)
        print("cancelled", file=sys.stderr)
        return stop_now(None)
    finally:
        engine.close()


def _check_mode(args: argparse.Namespace) -> None:
    """Printing (no --output-dir) takes one file; writing files takes the batch options."""
    if args.output_dir:
        for flag, given in (("--compare", args.compare), ("--json", args.json)):
            if given:
                raise UsageError(f"{flag} prints to the terminal; leave out --output-dir "
                                 "(with --output-dir, --format json writes JSON files)")
        return
    if len(args.audio) > 1 or Path(args.audio[0]).is_dir():
        raise UsageError("several files or a folder need --output-dir DIR (one output file per input)")
    if args.format:
        raise UsageError("--format needs --output-dir DIR; without it the transcript is printed "
                         "(--json prints it as JSON)")
    if args.recursive:
        raise UsageError("--recursive is for folders, which need --output-dir DIR")


def _output_dir(path: str) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot use {path} as the output folder: {e.strerror or e}") from None
    return out


def _recognize_one(engine: Engine, path: Path, options: RecognitionOptions) -> Transcript | int:
    """The transcript, or the exit code after printing why there is none."""
    report = run_batch(engine, [path], [None], options, OutputFormat.TXT, BatchProgress(1))
    o = report.outcomes[0]
    if report.cancelled:
        print("cancelled", file=sys.stderr)
        return stop_now(report)
    if o.error or report.fatal or o.transcript is None:
        print(f"error: {o.error or report.fatal or 'no transcript'}", file=sys.stderr)
        return EXIT_USAGE
    return o.transcript


def _print_single(engine: Engine, path: Path, options: RecognitionOptions, args: argparse.Namespace) -> int:
    """Print the transcript; --compare adds the run without hotwords and per-hotword hits."""
    import json
    from dataclasses import replace

    from .core.metrics import hits_per_hotword

    with_hw = _recognize_one(engine, path, options)
    if isinstance(with_hw, int):
        return with_hw
    without: Transcript | None = None
    if args.compare:
        plain = _recognize_one(engine, path, replace(options, hotwords=[], vocabulary_id=None))
        if isinstance(plain, int):
            return plain
        without = plain
    texts = [h.text for h in options.hotwords]
    if args.json:
        out: dict = with_hw.to_dict()
        if without is not None:
            out = {"with_hotwords": out, "without_hotwords": without.to_dict(),
                   "hits_with": hits_per_hotword(with_hw.text, texts),
                   "hits_without": hits_per_hotword(without.text, texts)}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return EXIT_OK
    if without is None:
        print(with_hw.text)
        return EXIT_OK
    print(f"without hotwords: {without.text}")
    print(f"with hotwords:    {with_hw.text}")
    hw_with, hw_without = hits_per_hotword(with_hw.text, texts), hits_per_hotword(without.text, texts)
    for h in texts:
        print(f"  {h}: {hw_without[h]} -> {hw_with[h]}")
    return EXIT_OK

