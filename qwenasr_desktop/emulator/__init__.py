"""A local DashScope-compatible server (HTTP + WebSocket) over the offline engine."""

from .faults import Faults
from .server import EmulatorServer

__all__ = ["EmulatorServer", "Faults"]
