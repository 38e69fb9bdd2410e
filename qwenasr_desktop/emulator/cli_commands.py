"""`qwenasr emulator`: serve the DashScope-compatible emulator in the foreground."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys


def cmd_emulator(args: argparse.Namespace) -> int:
    from .server import EmulatorServer

    try:
        loopback = ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = args.host == "localhost"
    if not loopback:
        print(f"warning: serving on {args.host}, reachable from other machines", file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    server = EmulatorServer(host=args.host, port=args.port, api_key=args.api_key)
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
    p.set_defaults(func=cmd_emulator)
