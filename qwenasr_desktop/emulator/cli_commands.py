"""`qwenasr emulator`: serve the DashScope-compatible emulator in the foreground.

Loopback only unless --allow-remote is given: the emulator has no TLS and, without --api-key,
accepts any key. File tasks fetch only the emulator's own uploads unless --allow-url names the
http(s) prefixes they may download from.
"""

from __future__ import annotations

import argparse
import logging
import sys


def cmd_emulator(args: argparse.Namespace) -> int:
    from .server import EmulatorServer, is_loopback

    tuning = {k: v for k, v in (("upload_ttl_s", args.upload_ttl), ("idle_timeout_s", args.idle_timeout),
                                ("upload_max_bytes", args.upload_max_mb and args.upload_max_mb << 20))
              if v is not None}
    try:
        server = EmulatorServer(host=args.host, port=args.port, api_key=args.api_key,
                                allow_remote=args.allow_remote, allow_urls=args.allow_url or (),
                                **tuning)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
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
    p.set_defaults(func=cmd_emulator)
