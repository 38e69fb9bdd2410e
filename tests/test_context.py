"""Context caps: reported instead of the cloud's silent truncation."""

from qwenasr_desktop.core.context import Context, ContextMessage, Role, rounds, validate_context


def msg(role, text):
    return ContextMessage(role, text)


def test_cloud_shape():
    ctx = Context([msg(Role.USER, "Kubernetes, Bulge Bracket"), msg(Role.ASSISTANT, "ok")])
    assert ctx.to_cloud() == [
        {"role": "user", "content": [{"type": "input_text", "text": "Kubernetes, Bulge Bracket"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "ok"}]}]
    assert validate_context(ctx) == []


def test_more_than_five_per_role_is_reported():
    ctx = Context([msg(Role.USER, f"u{i}") for i in range(6)])
    assert [p.code for p in validate_context(ctx)] == ["context-too-many-messages"]


def test_round_over_400_characters_is_reported():
    ctx = Context([msg(Role.USER, "a" * 300), msg(Role.ASSISTANT, "b" * 101), msg(Role.USER, "c" * 400)])
    problems = validate_context(ctx)
    assert [(p.code, p.row) for p in problems] == [("context-round-too-long", 0)]
    assert "401" in problems[0].message
    assert len(rounds(ctx.messages)) == 2


def test_assistant_first_is_reported():
    assert [p.code for p in validate_context(Context([msg(Role.ASSISTANT, "hi")]))] == ["context-order"]


def test_blank_messages_are_ignored():
    ctx = Context([msg(Role.USER, "  "), msg(Role.USER, "Xarelto")])
    assert ctx.to_cloud() == [{"role": "user", "content": [{"type": "input_text", "text": "Xarelto"}]}]
    assert ctx.as_prompt_text() == "Xarelto"
    assert Context().is_empty()
