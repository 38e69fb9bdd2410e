"""`qwenasr`: the headless command line over the same core and engines as the app.

Exit codes: 0 success, 1 the input has errors (e.g. invalid hotwords), 2 unreadable input or
bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .core import hotword_io
from .core.hotwords import errors, validate_items
from .core.models import MODELS, UnknownModelError
from .emulator.cli_commands import add_emulator_parser
from .engines.dashscope.cli_commands import add_vocab_parser

if TYPE_CHECKING:
    from .engines.base import RecognitionOptions


def _split_hints(value: str | None) -> list[str]:
    return [h.strip() for h in (value or "").split(",") if h.strip()]


def _read_list(path: str, model: str) -> hotword_io.ImportReport:
    data = Path(path).read_bytes()
    return hotword_io.parse_hotwords(data, filename=path, target_model=model)


def cmd_hotwords_validate(args: argparse.Namespace) -> int:
    """Every problem of the file: import issues (rows that cannot be read) and rule findings."""
    try:
        data = Path(args.file).read_bytes()
    except OSError as e:
        print(f"error: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    report = hotword_io.parse_hotwords(data, filename=args.file, target_model=args.model)
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
    try:
        report = _read_list(args.input, args.model)
    except OSError as e:
        print(f"error: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 2
    for issue in report.issues:
        print(issue.describe(), file=sys.stderr)
    if report.unreadable:
        return 2
    fmt = hotword_io.Format(args.to) if args.to else hotword_io.format_for_path(args.output)
    Path(args.output).write_text(hotword_io.serialize(report.items, fmt), encoding="utf-8")
    print(f"wrote {len(report.items)} hotwords to {args.output} ({fmt.value})", file=sys.stderr)
    return 1 if report.rejected else 0


def make_engine(args: argparse.Namespace):
    """The one place that maps --engine to an Engine (other engines add their branch here)."""
    if args.engine == "local":
        from .engines.local.engine import LocalEngine

        return LocalEngine()
    raise ValueError(f"unknown engine {args.engine!r}")


def _transcribe_options(args: argparse.Namespace, hotwords: list) -> RecognitionOptions:
    from .core.context import Context
    from .engines.base import RecognitionOptions

    context = Context.from_texts(args.context) if args.context else None
    return RecognitionOptions(model=args.transcribe_model, hotwords=hotwords,
                              language_hints=_split_hints(args.language_hints), context=context)


def cmd_transcribe(args: argparse.Namespace) -> int:
    """Print the transcript; --compare adds the run without hotwords and per-hotword hits."""
    import json

    from .core.metrics import hits_per_hotword
    from .engines.base import EngineError

    hotwords = []
    if args.hotwords:
        try:
            report = _read_list(args.hotwords, "fun-asr")
        except OSError as e:
            print(f"error: cannot read {args.hotwords}: {e.strerror}", file=sys.stderr)
            return 2
        for issue in report.issues:
            print(f"{'error' if issue.fatal else 'note'}: {issue.describe()}", file=sys.stderr)
        if report.unreadable:
            return 2
        hotwords = report.items
    try:
        engine = make_engine(args)
        with_hw = engine.recognize(args.audio, _transcribe_options(args, hotwords))
        without = engine.recognize(args.audio, _transcribe_options(args, [])) if args.compare else None
    except EngineError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    texts = [h.text for h in hotwords]
    if args.json:
        out: dict = with_hw.to_dict()
        if without is not None:
            out = {"with_hotwords": out, "without_hotwords": without.to_dict(),
                   "hits_with": hits_per_hotword(with_hw.text, texts),
                   "hits_without": hits_per_hotword(without.text, texts)}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if without is None:
        print(with_hw.text)
        return 0
    print(f"without hotwords: {without.text}")
    print(f"with hotwords:    {with_hw.text}")
    hw_with, hw_without = hits_per_hotword(with_hw.text, texts), hits_per_hotword(without.text, texts)
    for h in texts:
        print(f"  {h}: {hw_without[h]} -> {hw_with[h]}")
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

    t = sub.add_parser("transcribe", help="transcribe an audio file")
    t.add_argument("audio")
    t.add_argument("--engine", default="local", choices=["local"])
    t.add_argument("--model", dest="transcribe_model", default="base",
                   help="local: base (multilingual, default) or tiny.en")
    t.add_argument("--hotwords", help="hotword list file (JSON, CSV, TSV or text)")
    t.add_argument("--context", action="append", help="prior conversation or notes (repeatable)")
    t.add_argument("--language-hints", help="comma-separated, e.g. zh,en")
    t.add_argument("--compare", action="store_true", help="also run without hotwords and show hits")
    t.add_argument("--json", action="store_true", help="print the transcript as JSON")
    t.set_defaults(func=cmd_transcribe)

    add_vocab_parser(sub)
    add_emulator_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "model", None) and args.model not in MODELS:
        print(f"error: {UnknownModelError(args.model)}", file=sys.stderr)
        return 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
