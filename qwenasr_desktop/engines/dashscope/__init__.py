"""The DashScope (Qwen Cloud / Model Studio) engine: httpx + websockets, no SDK at run time."""

from .engine import DashScopeEngine, make_dashscope_engine

__all__ = ["DashScopeEngine", "make_dashscope_engine"]
