"""`qwenasr emulator`: serve the DashScope-compatible emulator in the foreground.

Loopback only unless --allow-remote is given: the emulator has no TLS and, without --api-key,
accepts any key. File tasks fetch only the emulator's own uploads unless --allow-url names the
http(s) prefixes they may download from. Every cloud model name is served by one local model
(--local-model, default base); --map-model sends one name to another, e.g. a large Whisper folder.
"""

from __future__ import annotations

import argparse
import logging
import sys


def local_models(default: str | None, mappings: list[str]) -> tuple[str | None, dict[str, str]]:
    """The local model for every cloud name and the per-name map, each resolved and validated now
    (a bad folder is reported before the server starts, not at the first request)."""
    from ..engines.local.packaged_models import resolve_name

    model_map = {}
    for item in mappings:
        cloud, sep, local = item.partition("=")
        if not sep or not cloud.strip() or not local.strip():
            raise ValueError(f"--map-model {item!r}: write CLOUD_MODEL=LOCAL_MODEL, for example "
                             f"fun-asr=/models/faster-whisper-large-v3")
        model_map[cloud.strip()] = resolve_name(local.strip())
    return (resolve_name(default) if default else None), model_map


def cmd_emulator(args: argparse.Namespace) -> int:
    from ..engines.base import EngineError
    from .server import EmulatorServer, is_loopback

    tuning = {k: v for k, v in (("upload_ttl_s", args.upload_ttl), ("idle_timeout_s", args.idle_timeout),
                                ("upload_max_bytes", args.upload_max_mb and args.upload_max_mb << 20))
              if v is not None}
    try:
        default_model, model_map = local_models(args.local_model, args.map_model or [])
        server = EmulatorServer(host=args.host, port=args.port, api_key=args.api_key,
                                allow_remote=args.allow_remote, allow_urls=args.allow_url or (),
                                **tuning)
    except (ValueError, EngineError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if default_model:
        server.recognizer.local_model = default_model
    server.recognizer.model_map.update(model_map)
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}, reachable from other machines", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        server.start()
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"DashScope emulator on {server.base_url}\n  HTTP base: {server.http_base}\n"
          f"  WebSocket: {server.ws_url}\n  key: {'the one given' if args.api_key else 'any non-empty key'}"
          "\nCtrl+C stops it.", flush=True)
    try:
        server.serve_forever()
    finally:
        server.stop()
    return 0


def add_emulator_parser(sub) -> None:
    p = sub.add_parser("emulator", help="run a local DashScope-compatible server on the offline engine")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--api-key", help="the only key accepted (default: any non-empty key)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (the emulator is then reachable from other machines)")
    p.add_argument("--allow-url", action="append", metavar="PREFIX",
                   help="an http(s) URL prefix file tasks may download from (repeatable; default none)")
    # (defaults live in store.py / ws_api.py, not imported here: they would load aiohttp)
    p.add_argument("--upload-ttl", type=float, metavar="SECONDS",
                   help="how long uploads and results are kept (default 3600)")
    p.add_argument("--upload-max-mb", type=int, metavar="MB",
                   help="largest upload accepted (default 64)")
    p.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                   help="close WebSockets idle this long (default 23)")
    p.add_argument("--local-model", metavar="MODEL",
                   help="the offline model behind every cloud model name: base (default), tiny.en or "
                        "the path of a faster-whisper model folder")
    p.add_argument("--map-model", action="append", metavar="CLOUD=MODEL",
                   help="serve one cloud model name with another offline model or folder (repeatable)")
    p.set_defaults(func=cmd_emulator)
