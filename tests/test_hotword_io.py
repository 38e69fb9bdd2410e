"""Import/export of hotword lists: every bad file gets a report with line numbers."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from qwenasr_desktop.core.hotword_io import Format, parse_hotwords, serialize, to_json
from qwenasr_desktop.core.hotwords import Hotword


def test_cloud_json_round_trip():
    items = [Hotword("赛德克巴莱", 4, "zh"), Hotword("Seediq Bale", 5, "en"), Hotword("Qwen", 3)]
    text = to_json(items)
    assert json.loads(text) == [{"text": "赛德克巴莱", "weight": 4, "lang": "zh"},
                                {"text": "Seediq Bale", "weight": 5, "lang": "en"},
                                {"text": "Qwen", "weight": 3}]
    report = parse_hotwords(text.encode(), "list.json")
    assert report.format is Format.JSON and report.items == items and report.issues == []


def test_not_json_reports_line_and_column():
    report = parse_hotwords(b'[\n {"text": "a", "weight": 4},\n {"text": "b" "weight": 4}\n]', "x.json")
    assert report.items == [] and report.issues[0].line == 3
    assert "Not valid JSON" in report.issues[0].message


def test_wrong_types_are_listed_by_line_and_valid_rows_kept():
    data = json.dumps([{"text": "Qwen", "weight": 4}, {"text": "Bad", "weight": "4"},
                       {"text": 12, "weight": 4}, {"text": "Ok", "weight": 2.0}, "just a string",
                       {"text": "Fine", "weight": 5, "colour": "red"}], indent=1).encode()
    report = parse_hotwords(data, "x.json")
    assert [h.text for h in report.items] == ["Qwen", "Fine"]
    by_line = {i.line: i for i in report.issues}
    assert len(report.rejected) == 4
    assert {i.code for i in report.rejected} >= {"weight-type", "text-type"}
    assert any("colour" in i.message and not i.fatal for i in by_line.values())
    # each reported line is where that row's object starts in the file
    lines = data.decode().splitlines()
    weight_line = next(i.line for i in report.rejected if i.code == "weight-type")
    assert lines[weight_line - 1].strip() == "{" and '"Bad"' in lines[weight_line]


def test_bom_is_accepted():
    report = parse_hotwords("\ufefftext,weight,lang\nQwen,4,en\n".encode(), "x.csv")
    assert report.items == [Hotword("Qwen", 4, "en")] and report.rejected == []


def test_utf16_with_bom():
    report = parse_hotwords("千问\n通义\n".encode("utf-16"), "x.txt")
    assert [h.text for h in report.items] == ["千问", "通义"]


def test_mixed_encodings_name_the_bad_lines():
    data = b"Qwen\n" + "千问\n".encode("gbk") + "通义\n".encode()
    report = parse_hotwords(data, "x.txt")
    assert [h.text for h in report.items] == ["Qwen", "通义"]
    assert [i.line for i in report.rejected] == [2]
    assert "UTF-8" in report.rejected[0].message


def test_binary_file_is_unreadable():
    report = parse_hotwords(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "x.json")
    assert report.unreadable and "binary" in report.issues[0].message


def test_ten_thousand_rows_are_read_and_reported_by_the_list_rule():
    data = ("text,weight\n" + "".join(f"term{i},3\n" for i in range(10_000))).encode()
    report = parse_hotwords(data, "big.csv")
    assert len(report.items) == 10_000 and report.rejected == []


def test_too_long_row_is_rejected_with_its_line():
    data = b"text\tweight\nok\t4\nClofelin Belmedpreparaty a b c d e f g\t4\n"
    report = parse_hotwords(data, "x.tsv")
    assert [h.text for h in report.items] == ["ok"]
    assert [(i.line, i.row, i.code) for i in report.rejected] == [(3, 2, "text-too-many-words")]


def test_csv_with_quoted_comma_and_extra_cells():
    data = b'text,weight,lang\n"Smith, John",4,en\nBad,4,en,extra\n'
    report = parse_hotwords(data, "x.csv")
    assert [h.text for h in report.items] == ["Smith, John"]
    assert report.rejected[0].line == 3


def test_plain_text_default_weight_and_comments():
    report = parse_hotwords(b"# drugs\nXarelto\n\nEntresto\n", "x.txt")
    assert report.items == [Hotword("Xarelto"), Hotword("Entresto")]
    assert report.lines == [2, 4]


def test_query_output_is_accepted():
    data = json.dumps({"status": "OK", "target_model": "fun-asr",
                       "vocabulary": [{"lang": "zh", "text": "赛德克巴莱", "weight": 4}]}).encode()
    assert parse_hotwords(data, "q.json").items == [Hotword("赛德克巴莱", 4, "zh")]


def test_rules_follow_target_model():
    data = "一二三四五六七八九十一\n".encode()
    assert len(parse_hotwords(data, "x.txt", "fun-asr").items) == 1
    assert len(parse_hotwords(data, "x.txt", "paraformer-v2").items) == 0


hotwords = st.builds(Hotword,
                     st.text(alphabet=st.characters(min_codepoint=0x61, max_codepoint=0x7A), min_size=1,
                             max_size=8),
                     st.integers(1, 5), st.sampled_from([None, "en", "zh", "ja"]))


@given(st.lists(hotwords, max_size=20), st.sampled_from([Format.JSON, Format.CSV, Format.TSV]))
def test_serialize_parse_round_trip(items, fmt):
    report = parse_hotwords(serialize(items, fmt).encode(), f"x.{fmt.value}")
    assert report.items == items


@given(st.binary(max_size=300))
def test_parser_never_raises_on_garbage(data):
    report = parse_hotwords(data, None)
    assert all(isinstance(i.message, str) and i.message for i in report.issues)


def test_vocabulary_member_is_found_by_walking_the_object():
    # issue 17: a text search for "vocabulary" also hit it inside a string and raised JSONDecodeError
    data = (b'{"meta": {"vocabulary": "[x", "note": "\\"vocabulary\\": ["},\n'
            b' "vocabulary": [{"text": "a"},\n {"text": "b"}], "vocabulary_id": "v1"}')
    r = parse_hotwords(data, "x.json")
    assert [h.text for h in r.items] == ["a", "b"] and r.lines == [2, 3] and not r.issues


def test_duplicate_vocabulary_members_use_the_last_like_json_loads():
    r = parse_hotwords(b'{"vocabulary": [{"text": "old"}],\n"vocabulary": [\n{"text": "new"}]}', "x.json")
    assert [h.text for h in r.items] == ["new"] and r.lines == [3]


def test_deep_nesting_is_unreadable_not_a_recursion_error():
    for data in (b"[" * 50_000 + b"]" * 50_000, b'{"vocabulary": ' + b"[" * 50_000 + b"]" * 50_001,
                 b'[{"text": "a", "weight": ' + b"[" * 900 + b"]" * 900 + b"}]"):
        r = parse_hotwords(data, "x.json")
        assert r.unreadable or r.rejected
    r = parse_hotwords(b"[" * 50_000 + b"]" * 50_000, "x.json")
    assert [i.code for i in r.issues] == ["nested-too-deep"]


def test_rows_that_are_not_objects_are_named_briefly():
    r = parse_hotwords(b'[[1, 2, 3], "' + b"x" * 1000 + b'"]', "x.json")
    assert [i.code for i in r.issues] == ["row-not-object"] * 2
    assert all(len(i.message) < 100 for i in r.issues)


def test_a_cell_over_the_csv_limit_is_an_issue_not_an_exception():
    data = b'text,weight\nQwen,4\n"' + b"x" * 200_000 + b"\n"
    r = parse_hotwords(data, "x.csv")
    assert [h.text for h in r.items] == ["Qwen"]
    assert [i.code for i in r.issues] == ["unreadable-table"]
