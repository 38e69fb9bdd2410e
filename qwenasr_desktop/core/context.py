"""Context enhancement: prior conversation passed with the audio.

The shape mirrors the cloud's messages (user `input_text`, assistant `text`) so the same object
drives fun-asr-flash and the offline engine's prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .hotwords import Problem

MAX_MESSAGES_PER_ROLE = 5
MAX_CHARS_PER_ROUND = 400


class Role(StrEnum):
    USER = "user"  # prior user transcripts, word lists, prose
    ASSISTANT = "assistant"  # prior assistant (LLM) replies


@dataclass
class ContextMessage:
    role: Role
    text: str

    def to_cloud(self) -> dict:
        kind = "input_text" if self.role is Role.USER else "text"
        return {"role": self.role.value, "content": [{"type": kind, "text": self.text}]}


@dataclass
class Context:
    messages: list[ContextMessage] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(m.text.strip() for m in self.messages)

    def to_cloud(self) -> list[dict]:
        return [m.to_cloud() for m in self.messages if m.text.strip()]

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Context:
        return cls([ContextMessage(Role.USER, t) for t in texts])

    def as_prompt_text(self) -> str:
        """Plain text for a decoder prompt: oldest first, so the most recent sits next to the audio."""
        return " ".join(m.text.strip() for m in self.messages if m.text.strip())


def rounds(messages: Sequence[ContextMessage]) -> list[list[ContextMessage]]:
    """Group messages into rounds: a user message and the assistant messages that follow it."""
    out: list[list[ContextMessage]] = []
    for m in messages:
        if m.role is Role.USER or not out:
            out.append([m])
        else:
            out[-1].append(m)
    return out


def validate_context(ctx: Context) -> list[Problem]:
    """The documented caps, reported instead of the cloud's silent truncation."""
    problems: list[Problem] = []
    msgs = [m for m in ctx.messages if m.text.strip()]
    for role, label in ((Role.USER, "user/transcript"), (Role.ASSISTANT, "assistant")):
        n = sum(1 for m in msgs if m.role is role)
        if n > MAX_MESSAGES_PER_ROLE:
            problems.append(Problem("context-too-many-messages",
                                    f"At most {MAX_MESSAGES_PER_ROLE} {label} messages are used; there "
                                    f"are {n}. Remove the oldest {n - MAX_MESSAGES_PER_ROLE}.",
                                    field="context"))
    for i, rnd in enumerate(rounds(msgs)):
        size = sum(len(m.text) for m in rnd)
        if size > MAX_CHARS_PER_ROUND:
            problems.append(Problem("context-round-too-long",
                                    f"Round {i + 1} has {size} characters; the cloud keeps at most "
                                    f"{MAX_CHARS_PER_ROUND} per round and drops the rest. Shorten it.",
                                    row=i, field="context"))
    if msgs and msgs[0].role is Role.ASSISTANT:
        problems.append(Problem("context-order", "Each assistant message must follow a user message; "
                                "the first message is an assistant message.", field="context"))
    return problems
