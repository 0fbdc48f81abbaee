"""The sandbox's wire format: frames and plain data, checked without any process."""

from __future__ import annotations

import base64
import io
import json
import math
import os
import pickle
import threading
import time

import numpy as np
import pytest

from autograder.inside.capture import OutputCapture, truncate_text
from autograder.inside.protocol import (
    ARRAY_KEY,
    MAX_FRAME_BYTES,
    MAX_FRAME_VALUES,
    MAX_RESULT_BYTES,
    ChannelClosed,
    FrameReader,
    FrameTooLarge,
    ProtocolError,
    decode_plain,
    encode_frame,
    encode_plain,
    parse_body,
)


def round_trip(value):
    return decode_plain(parse_body(encode_frame({"v": encode_plain(value)})[8:])["v"])


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.arange(12, dtype=np.int64).reshape(4, 3).T,  # not contiguous
        np.asfortranarray(np.ones((2, 3))),
        np.array([True, False]),
        np.array([1 + 2j, np.nan]),
        np.array(3.5),  # 0-d
        np.zeros((0, 5), dtype=np.uint8),
    ],
)
def test_do_arrays_keep_dtype_shape_and_values(array):
    back = round_trip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_do_nested_plain_values_survive_including_nan_and_infinities():
    value = {
        "a": [1, 2.5, None, True, "é✓"],
        "b": {"c": [float("inf"), -float("inf")]},
        "big": 2**80,
        "n": float("nan"),
    }
    back = round_trip(value)
    assert math.isnan(back.pop("n")) and back == {k: v for k, v in value.items() if k != "n"}


def test_are_numpy_scalars_and_tuples_flattened_to_builtins():
    back = round_trip((np.float64(1.5), np.int32(7), np.bool_(True)))
    assert back == [1.5, 7, True] and [type(x) for x in back] == [float, int, bool]


@pytest.mark.parametrize(
    "value",
    [
        object(),
        {1: "int key"},
        {ARRAY_KEY: "reserved"},
        np.array(["text"]),
        np.array([object()]),
        1 + 2j,
        b"bytes",
        {"f": print},
    ],
)
def test_is_anything_else_refused_on_the_way_out(value):
    with pytest.raises(ProtocolError):
        encode_plain(value)


def test_is_endless_nesting_refused_instead_of_blowing_the_stack():
    loop: list = []
    loop.append(loop)
    with pytest.raises(ProtocolError):
        encode_plain(loop)


def test_is_a_pickled_object_array_refused_on_the_way_in():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    forged = {ARRAY_KEY: base64.b64encode(buffer.getvalue()).decode()}
    with pytest.raises(ProtocolError):
        decode_plain(forged)


def test_is_a_raw_pickle_refused_on_the_way_in():
    forged = {ARRAY_KEY: base64.b64encode(pickle.dumps(np.ones(3))).decode()}
    with pytest.raises(ProtocolError):
        decode_plain(forged)


def test_is_an_array_beside_other_keys_refused():
    good = encode_plain(np.ones(2))
    with pytest.raises(ProtocolError):
        decode_plain({**good, "extra": 1})


def test_is_an_array_over_the_frame_cap_refused_before_encoding():
    with pytest.raises(FrameTooLarge):
        encode_plain(np.zeros(MAX_FRAME_BYTES // 8 + 1))


def test_is_a_long_list_refused_once_past_the_limit_without_reading_the_rest():
    # the item after the first 1000 is not plain data: reading it would say so
    with pytest.raises(FrameTooLarge, match="more than the limit of 1,000 bytes"):
        encode_plain([1.5] * 1000 + [object()], limit=1000)
    with pytest.raises(FrameTooLarge):
        encode_plain({"v": "x" * 2000}, limit=1000)
    assert encode_plain([1.5] * 400, limit=1000) == [1.5] * 400


@pytest.mark.parametrize(
    "value",
    [
        [1],
        [],
        {},
        "x",
        7,
        {"a": [1, [2, []]], "b": {}},
        ["", "é", [[]]],
        {"weights": np.ones((4, 3)), "steps": [1, 2.5, None, True], "name": "ok"},
    ],
)
def test_does_a_value_that_fits_its_limit_exactly_pass(value):
    size = len(json.dumps(encode_plain(value), separators=(",", ":")))
    assert json.dumps(encode_plain(value, limit=size)) == json.dumps(encode_plain(value))


def frame_read(body: bytes) -> object:
    """``body`` sent as one frame through a pipe and read back by a FrameReader."""
    read_fd, write_fd = os.pipe()
    data = len(body).to_bytes(8, "big") + body
    writer = threading.Thread(target=lambda: (os.write(write_fd, data), os.close(write_fd)))
    writer.start()
    try:
        return FrameReader(read_fd).receive(time.monotonic() + 10)
    finally:
        writer.join()
        os.close(read_fd)


def test_is_a_frame_of_too_many_values_refused_before_it_is_decoded():
    many = b"[" + b",".join([b"[]"] * (MAX_FRAME_VALUES // 2)) + b"]"
    assert len(many) < MAX_RESULT_BYTES // 16  # small in bytes, costly once decoded
    with pytest.raises(FrameTooLarge, match="values in one message"):
        frame_read(many)


def test_do_commas_and_brackets_inside_strings_cost_nothing():
    text = json.dumps({"output": ",[{" * 20_000, "values": list(range(100))}).encode()
    assert frame_read(text) == json.loads(text)


def test_does_the_reader_refuse_a_huge_header_without_reading_the_body():
    read_fd, write_fd = os.pipe()
    os.write(write_fd, (MAX_FRAME_BYTES + 1).to_bytes(8, "big"))
    reader = FrameReader(read_fd)
    reader.fill()
    with pytest.raises(FrameTooLarge):
        reader.pop()
    os.close(read_fd)
    os.close(write_fd)


def test_does_the_reader_reassemble_frames_and_notice_the_end():
    read_fd, write_fd = os.pipe()
    data = encode_frame({"n": 1}) + encode_frame({"n": 2})
    os.write(write_fd, data[:5])
    reader = FrameReader(read_fd)
    reader.fill()
    assert reader.pop() is None
    os.write(write_fd, data[5:])
    os.close(write_fd)
    assert reader.receive(deadline=time.monotonic() + 5) == {"n": 1}
    assert reader.receive(deadline=time.monotonic() + 5) == {"n": 2}
    with pytest.raises(ChannelClosed):
        reader.receive(deadline=time.monotonic() + 5)
    os.close(read_fd)


@pytest.mark.parametrize("body", [b"\xff\xfe", b"[1, 2]", b"{not json", b"[" * 100_000])
def test_is_a_garbage_frame_body_a_protocol_error(body):
    with pytest.raises(ProtocolError):
        parse_body(body)


def test_does_captured_output_keep_the_head_and_count_the_rest():
    capture = OutputCapture(limit=5)
    for chunk in (b"hello wor", "ld ✓".encode()[:-1], "ld ✓".encode()[-1:]):
        capture.feed(chunk)
    assert capture.text() == "hello\n… [output truncated: 8 more characters]"
    assert truncate_text("abc", 5) == "abc"
