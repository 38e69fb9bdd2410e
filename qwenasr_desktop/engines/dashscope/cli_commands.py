"""`qwenasr vocab list|create|show|update|delete`: the cloud hotword lists from the shell.

The API key comes from DASHSCOPE_API_KEY or the keyring, never from the command line (it would
land in the shell history). Exit codes: 0 done, 1 the list or request was rejected, 2 unreadable
input or bad usage, 3 the service could not be used (key, network, server).
"""

from __future__ import annotations

import argparse
import json
import sys

from ...core import hotword_io
from ...storage.files import read_head
from ..base import Engine
from ..factory import DASHSCOPE, EngineSetupError, make_engine
from .errors import BadRequestError, DashScopeError, ValidationError


class _InputError(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _engine(args: argparse.Namespace) -> Engine:
    return make_engine(DASHSCOPE, region=args.region)


def _read_items(path: str, model: str):
    try:
        data = read_head(path, hotword_io.MAX_IMPORT_BYTES + 1)  # the cap parse_hotwords reports
    except OSError as e:
        raise _InputError(_fail(2, f"cannot read {path}: {e.strerror or e}")) from None
    report = hotword_io.parse_hotwords(data, filename=path, target_model=model)
    for issue in report.issues:
        print(f"{'error' if issue.fatal else 'note'}: {issue.describe()}", file=sys.stderr)
    if report.unreadable or report.rejected:
        raise _InputError(_fail(2 if report.unreadable else 1,
                                "the list was not uploaded; fix the rows above"))
    return report.items


def _fail(code: int, message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _run(args: argparse.Namespace) -> int:
    try:
        eng = _engine(args)
    except EngineSetupError as e:  # no API key, unknown region
        return _fail(2, str(e))
    try:
        return args.vocab_func(eng, args)
    except _InputError as e:
        return e.code
    except ValidationError as e:
        return _fail(1, str(e))
    except BadRequestError as e:
        return _fail(1, str(e))
    except DashScopeError as e:
        return _fail(3, str(e))
    finally:
        eng.close()


def cmd_list(eng, args) -> int:
    rows = eng.list_vocabularies(args.prefix)
    for v in rows:
        print(f"{v.vocabulary_id}\t{v.status}\t{v.gmt_modified}")
    print(f"{len(rows)} list(s)", file=sys.stderr)
    return 0


def cmd_create(eng, args) -> int:
    items = _read_items(args.file, args.model)
    vid = eng.vocabularies.create(args.prefix, args.model, items)
    if not args.no_wait:
        eng.vocabularies.wait_ok(vid, args.timeout)
    print(vid)
    return 0


def cmd_show(eng, args) -> int:
    info = eng.query_vocabulary(args.vocabulary_id)
    if args.json:
        print(json.dumps({"vocabulary_id": info.vocabulary_id, "target_model": info.target_model,
                          "status": info.status, "gmt_create": info.gmt_create,
                          "gmt_modified": info.gmt_modified,
                          "vocabulary": [h.to_cloud() for h in info.items]}, ensure_ascii=False, indent=2))
        return 0
    print(f"id: {info.vocabulary_id}\ntarget model: {info.target_model}\nstatus: {info.status}\n"
          f"modified: {info.gmt_modified}\nhotwords ({len(info.items)}):")
    for h in info.items:
        print(f"  {h.text}\t{h.weight}\t{h.lang or ''}")
    return 0


def cmd_update(eng, args) -> int:
    info = eng.query_vocabulary(args.vocabulary_id)
    items = _read_items(args.file, info.target_model)
    eng.vocabularies.update(args.vocabulary_id, items, info.target_model)
    if not args.no_wait:
        eng.vocabularies.wait_ok(args.vocabulary_id, args.timeout)
    print(f"updated {args.vocabulary_id}: {len(items)} hotwords (replaced)", file=sys.stderr)
    return 0


def cmd_delete(eng, args) -> int:
    eng.delete_vocabulary(args.vocabulary_id)
    print(f"deleted {args.vocabulary_id}", file=sys.stderr)
    return 0


def add_vocab_parser(sub) -> None:
    p = sub.add_parser("vocab", help="manage DashScope hotword lists (custom vocabularies)",
                       description=__doc__.splitlines()[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--region", default="intl", help="intl (default), cn, or a base URL such as "
                        "http://127.0.0.1:8765 (the emulator)")
    vs = p.add_subparsers(dest="vocab_command", required=True)
    ls = vs.add_parser("list", parents=[common], help="list the account's hotword lists")
    ls.add_argument("--prefix")
    ls.set_defaults(vocab_func=cmd_list)
    cr = vs.add_parser("create", parents=[common], help="upload a hotword file as a new list")
    cr.add_argument("file")
    cr.add_argument("--model", required=True, help="target model the list will be used with (exact name)")
    cr.add_argument("--prefix", required=True, help="1-10 lowercase letters or digits")
    cr.add_argument("--no-wait", action="store_true", help="do not wait for status OK")
    cr.add_argument("--timeout", type=float, default=30.0)
    cr.set_defaults(vocab_func=cmd_create)
    sh = vs.add_parser("show", parents=[common], help="show one list")
    sh.add_argument("vocabulary_id")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(vocab_func=cmd_show)
    up = vs.add_parser("update", parents=[common], help="replace a list's hotwords with a file's")
    up.add_argument("vocabulary_id")
    up.add_argument("file")
    up.add_argument("--no-wait", action="store_true")
    up.add_argument("--timeout", type=float, default=30.0)
    up.set_defaults(vocab_func=cmd_update)
    de = vs.add_parser("delete", parents=[common], help="delete a list")
    de.add_argument("vocabulary_id")
    de.set_defaults(vocab_func=cmd_delete)
    p.set_defaults(func=_run)
