"""`qwenasr`: the headless command line over the same core and engines as the app.

Exit codes: 0 success, 1 the input has errors (e.g. invalid hotwords), 2 unreadable input or
bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .cli_files import (
    load_hotwords,
    output_ok,
    read_list,
    read_stdin_text,
    tolerant_streams,
    write_output,
)
from .cli_outputs import AUDIO_EXTENSIONS, OutputFormat
from .core import hotword_io
from .core.hotwords import errors, validate_items
from .core.models import MODELS, UnknownModelError
from .emulator.cli_commands import add_emulator_parser
from .engines.dashscope.cli_commands import add_vocab_parser
from .engines.factory import DASHSCOPE, ENGINE_NAMES, LOCAL

if TYPE_CHECKING:
    from .engines.base import Engine


# The model `hotwords tune` recognizes with when --model is not given.
DEFAULT_TUNE_MODELS = {LOCAL: "base", DASHSCOPE: "fun-asr"}


def _split_hints(value: str | None) -> list[str]:
    return [h.strip() for h in (value or "").split(",") if h.strip()]


def cmd_hotwords_validate(args: argparse.Namespace) -> int:
    """Every problem of the file: import issues (rows that cannot be read) and rule findings."""
    report = read_list(args.file, args.model)
    if report is None:
        return 2
    if report.unreadable:
        for issue in report.issues:
            print(f"error: {issue.describe()}", file=sys.stderr)
        return 2
    hints = _split_hints(args.language_hints)
    for issue in report.issues:
        print(issue.describe())
    problems = validate_items(report.items, args.model, hints)
    for p in problems:
        if p.row is None:
            print(f"list: {p.code}: {p.message}")
        else:
            print(f"row {report.rows[p.row]}: {p.code}: {p.message} (line {report.lines[p.row]})")
    n_err = len(errors(problems)) + len(report.rejected)
    print(f"{len(report.items)} valid hotwords, {n_err} errors, "
          f"{len(problems) - len(errors(problems))} warnings (model {args.model}).", file=sys.stderr)
    return 1 if n_err else 0


def cmd_hotwords_convert(args: argparse.Namespace) -> int:
    if not output_ok(args.output):
        return 2
    report = read_list(args.input, args.model)
    if report is None:
        return 2
    for issue in report.issues:
        print(issue.describe(), file=sys.stderr)
    if report.unreadable:
        return 2
    fmt = hotword_io.Format(args.to) if args.to else hotword_io.format_for_path(args.output)
    if not write_output(args.output, hotword_io.serialize(report.items, fmt)):
        return 2
    print(f"wrote {len(report.items)} hotwords to {args.output} ({fmt.value})", file=sys.stderr)
    return 1 if report.rejected else 0


def make_engine(args: argparse.Namespace) -> Engine:
    """--engine (and --region, for the cloud) to an Engine, through the one engine factory."""
    from .engines.factory import make_engine as build

    return build(args.engine, region=getattr(args, "region", None))


def cmd_transcribe(args: argparse.Namespace) -> int:
    """One file to stdout, or a batch into --output-dir (cli_transcribe)."""
    from .cli_transcribe import cmd_transcribe as run

    return run(args)


def _parse_option(text: str) -> tuple[str, object]:
    """KEY=VALUE for engine extras; numbers become numbers ("prompt_min_weight=9", "lam=0.5")."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--option takes KEY=VALUE, got {text!r}")
    for cast in (int, float):
        try:
            return key.strip(), cast(value)
        except ValueError:
            pass
    return key.strip(), {"true": True, "false": False}.get(value.lower(), value)


def _parse_weights(text: str | None) -> tuple[int, ...]:
    from .core.hotwords import MAX_WEIGHT, MIN_WEIGHT

    if not text:
        return tuple(range(MIN_WEIGHT, MAX_WEIGHT + 1))
    try:
        weights = sorted({int(w) for w in text.split(",") if w.strip()})
    except ValueError:
        raise ValueError(f"--weights takes whole numbers separated by commas, got {text!r}") from None
    if not weights or not all(MIN_WEIGHT <= w <= MAX_WEIGHT for w in weights):
        raise ValueError(f"--weights must be from {MIN_WEIGHT} to {MAX_WEIGHT}, got {text!r}")
    return tuple(weights)


def cmd_hotwords_tune(args: argparse.Namespace) -> int:
    """Sweep each hotword's weight on clips with reference transcripts; print the evidence table
    and write the list with the recommended weights."""
    from .core import tuning_plan as tuning
    from .documents import DocumentError, read_document
    from .engines.base import EngineCancelledError, EngineError, RecognitionOptions
    from .engines.tuning import TuningClip, TuningRunner

    if len(args.audio) != len(args.reference):
        print("error: give one --reference per --audio (in the same order)", file=sys.stderr)
        return 2
    items = load_hotwords(args.hotwords)
    if items is None or not output_ok(args.output):
        return 2
    clips = []
    try:
        for audio, ref in zip(args.audio, args.reference, strict=True):
            clips.append(TuningClip(Path(audio), read_document(ref), args.lang))
        extra = dict(_parse_option(o) for o in args.option or [])
        weights = _parse_weights(args.weights)
    except (DocumentError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    model = args.tune_model or DEFAULT_TUNE_MODELS[args.engine]
    options = RecognitionOptions(model=model, language_hints=_split_hints(args.language_hints), extra=extra)
    try:
        engine = make_engine(args)
        runner = TuningRunner(engine, clips, items, options, weights=weights,
                              max_refine=args.max_refine)
        cost = runner.estimate()
    except (EngineError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"cost: {cost.describe()} on {args.engine}", file=sys.stderr)
    if engine.capabilities.billed and not args.yes:
        print("error: this engine bills each recognition; add --yes to start", file=sys.stderr)
        return 2

    def show(p) -> None:
        if not args.quiet:
            print(f"[{p.done}/{p.total}] {p.message}", file=sys.stderr)

    try:
        result = runner.run(progress=show)
    except EngineCancelledError:
        return 130
    except EngineError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        engine.close()
    print(tuning.report_table(result))
    print(f"{result.recognitions} recognitions ({result.audio_seconds / 60:.2f} audio minutes), "
          f"{result.cache_hits} served from the cache", file=sys.stderr)
    if args.output:
        tuned = tuning.apply_weights(items, result.recommended_weights())
        fmt = hotword_io.format_for_path(args.output)
        if not write_output(args.output, hotword_io.serialize(tuned, fmt)):
            return 2
        changed = len(tuning.weight_changes(items, result.recommended_weights()))
        print(f"wrote {len(tuned)} hotwords ({changed} weights changed) to {args.output}", file=sys.stderr)
    return 0


def cmd_hotwords_suggest(args: argparse.Namespace) -> int:
    """Candidate hotwords and a context suggestion from a document (or stdin with "-")."""
    import json

    from .core.candidates import extract
    from .documents import DocumentError, read_document

    if not output_ok(args.output):
        return 2
    try:
        text = read_stdin_text() if args.file == "-" else read_document(args.file)
    except DocumentError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    current = []
    if args.list:
        report = read_list(args.list, args.model)
        if report is None:
            return 2
        if report.unreadable:
            for issue in report.issues:
                print(f"error: {issue.describe()}", file=sys.stderr)
            return 2
        current = report.items
    s = extract(text, current, args.model, args.max)
    if args.json:
        print(json.dumps({
            "candidates": [{"text": c.text, "kind": c.kind.value, "count": c.count, "zipf": c.zipf,
                            "weight": c.weight, "duplicate_row": c.duplicate_row} for c in s.candidates],
            "context": [m.text for m in s.context.messages]}, ensure_ascii=False, indent=2))
    else:
        print(f"{'':2}{'hotword':32} {'kind':16} {'uses':>4} {'zipf':>5}")
        for c in s.candidates:
            mark = f"= (already row {c.duplicate_row + 1})" if c.is_duplicate else ""
            print(f"{'= ' if c.is_duplicate else '+ '}{c.text:32} {c.kind.value:16} {c.count:>4} "
                  f"{c.zipf:>5.2f} {mark}".rstrip())
        print(f"\n{len(s.new())} new, {len(s.candidates) - len(s.new())} already in the list")
        if not s.context.is_empty():
            print("\ncontext suggestion:")
            for m in s.context.messages:
                print(f"  {m.text}")
    if args.output:
        fmt = hotword_io.format_for_path(args.output)
        if not write_output(args.output, hotword_io.serialize([c.to_hotword() for c in s.new()], fmt)):
            return 2
        print(f"wrote {len(s.new())} new hotwords to {args.output}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qwenasr", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    hw = sub.add_parser("hotwords", help="check and convert hotword lists")
    hw_sub = hw.add_subparsers(dest="hotwords_command", required=True)
    v = hw_sub.add_parser("validate", help="check a list against the rules of a model")
    v.add_argument("file")
    v.add_argument("--model", default="fun-asr", help="target model (default fun-asr)")
    v.add_argument("--language-hints", help="comma-separated, e.g. zh,en")
    v.set_defaults(func=cmd_hotwords_validate)
    c = hw_sub.add_parser("convert", help="convert between JSON, CSV, TSV and plain text")
    c.add_argument("input")
    c.add_argument("output")
    c.add_argument("--to", choices=[f.value for f in hotword_io.Format], help="output format "
                   "(default: from the output file's extension)")
    c.add_argument("--model", default="fun-asr")
    c.set_defaults(func=cmd_hotwords_convert)
    tu = hw_sub.add_parser("tune", help="recommend weights from clips with reference transcripts")
    tu.add_argument("--audio", action="append", required=True, help="audio clip (repeatable)")
    tu.add_argument("--reference", action="append", required=True,
                    help="its correct transcript: .txt/.md/.docx/.pdf (one per --audio)")
    tu.add_argument("--hotwords", required=True, help="hotword list file (JSON, CSV, TSV or text)")
    tu.add_argument("--engine", default=LOCAL, choices=list(ENGINE_NAMES))
    tu.add_argument("--region", default="intl", help="dashscope: intl, cn or a base URL")
    tu.add_argument("--model", dest="tune_model",
                    help="local: base, tiny.en or a faster-whisper model folder; dashscope: fun-asr, ...")
    tu.add_argument("--language-hints", help="comma-separated, e.g. zh,en")
    tu.add_argument("--lang", help="language of the references for scoring (en, zh); default: detect")
    tu.add_argument("--option", action="append", help="engine extra KEY=VALUE, e.g. prompt_min_weight=9")
    tu.add_argument("--weights", help="weights to try, e.g. 1,3,5 (default 1,2,3,4,5)")
    tu.add_argument("--max-refine", type=int, default=3, help="hotwords swept one at a time at most")
    tu.add_argument("--output", help="write the list with the recommended weights here")
    tu.add_argument("--yes", action="store_true", help="start a billed (cloud) run without asking")
    tu.add_argument("--quiet", action="store_true", help="no progress lines")
    tu.set_defaults(func=cmd_hotwords_tune)
    su = hw_sub.add_parser("suggest", help="propose hotwords and context from a document")
    su.add_argument("file", help=".txt, .md, .docx or .pdf, or - for standard input")
    su.add_argument("--list", help="the current list: its hotwords are marked as duplicates")
    su.add_argument("--model", default="fun-asr", help="target model whose rules apply (default fun-asr)")
    su.add_argument("--max", type=int, default=100, help="at most this many candidates")
    su.add_argument("--json", action="store_true")
    su.add_argument("--output", help="write the new candidates as a list file")
    su.set_defaults(func=cmd_hotwords_suggest)

    t = sub.add_parser("transcribe", help="transcribe audio files (one to the terminal, or a batch "
                       "into a folder)", description="Transcribe one file to the terminal, or files "
                       "and folders into --output-dir. Exit codes: 0 all written, 1 a file failed "
                       "(the others are written), 2 bad usage, 130 stopped with Ctrl-C.")
    t.add_argument("audio", nargs="+", help="audio files and/or folders (a folder: its "
                   f"{', '.join(AUDIO_EXTENSIONS)} files)")
    t.add_argument("--engine", default=LOCAL, choices=list(ENGINE_NAMES))
    t.add_argument("--model", dest="transcribe_model", default=None, metavar="MODEL",
                   help="local: base (multilingual, default), tiny.en or the path of a faster-whisper model "
                         "folder; dashscope: fun-asr (default), "
                        "paraformer-v2, fun-asr-flash-2026-06-15, ...")
    t.add_argument("--region", default="intl", help="dashscope: intl (default), cn or a base URL")
    t.add_argument("--hotwords", help="hotword list file (JSON, CSV, TSV or text); dashscope: made into "
                   "a cloud list (an identical one is reused)")
    t.add_argument("--vocabulary-id", help="dashscope: an existing cloud hotword list")
    t.add_argument("--context", action="append", help="prior conversation or notes (repeatable; "
                   "models that take context)")
    t.add_argument("--language-hints", help="comma-separated, e.g. zh,en")
    t.add_argument("--chinese-script", choices=["simplified", "traditional", "as-decoded"],
                   default="simplified", help="script of Mandarin output (default: simplified)")
    t.add_argument("--diarize", action="store_true", help="dashscope file models: label speakers")
    t.add_argument("--speakers", type=int, help="dashscope: the number of speakers, if known")
    t.add_argument("--output-dir", help="write <name>.<format> here for each input (created if needed)")
    t.add_argument("--format", choices=[f.value for f in OutputFormat],
                   help="with --output-dir: txt (default), srt, vtt, json or docx")
    t.add_argument("--recursive", action="store_true", help="also take audio files in subfolders")
    t.add_argument("--compare", action="store_true", help="also run without hotwords and show hits")
    t.add_argument("--json", action="store_true", help="print the transcript as JSON")
    t.set_defaults(func=cmd_transcribe)

    add_vocab_parser(sub)
    add_emulator_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "model", None) and args.model not in MODELS:
        print(f"error: {UnknownModelError(args.model)}", file=sys.stderr)
        return 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
