"""Length-prefixed JSON frames and the plain-data codec shared by pool, worker and forks.

A frame is an 8-byte big-endian length followed by that many bytes of UTF-8 JSON. Nothing
is ever pickled: bytes that come from a process which ran student code are parsed with
`json` only, and values are rebuilt by `decode_plain`, arrays with `allow_pickle=False`.
NaN and infinities travel as JSON's common extensions (NaN, Infinity, -Infinity).
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import select
import struct
import time
from typing import Any

import numpy as np

MAX_FRAME_BYTES = 64 * 2**20
# What a sandbox may send the grading process in one frame: probe values are a few
# arrays (the largest, trained weights, ~40 KB), and a large frame decoded into Python
# lists would cost the grader many times its size.
MAX_RESULT_BYTES = 4 * 2**20
MAX_DEPTH = 64
# JSON values (numbers, lists, ...) outside strings in one frame from a process that ran
# student code: arrays travel as single strings, so real frames hold a few dozen, and a
# frame of a million tiny lists would cost the reader ~100x its size once decoded.
MAX_FRAME_VALUES = 100_000
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
ARRAY_KEY = "__ndarray__"
ARRAY_KINDS = "biufc"  # bool, signed, unsigned, float, complex
HEADER = struct.Struct(">Q")
_READ_CHUNK = 1 << 20

_dumps = json.dumps  # bound at import: student code may patch json or os later
_loads = json.loads
_read = os.read
_write = os.write
_b64encode = base64.b64encode
_b64decode = base64.b64decode
_write_array = np.lib.format.write_array
_read_array = np.lib.format.read_array


class ProtocolError(Exception):
    """Bytes or values that break the protocol: garbage, too large, or not plain data."""


class FrameTooLarge(ProtocolError):
    """A frame above MAX_FRAME_BYTES."""


class ChannelClosed(ProtocolError):
    """The other end closed the pipe before a whole frame arrived."""


class ChannelTimeout(ProtocolError):
    """No whole frame arrived before the deadline."""


def encode_frame_within(message: dict, limit: int) -> bytes:
    """``encode_frame``, refusing (FrameTooLarge) a frame of more than ``limit`` bytes."""
    frame = encode_frame(message)
    if len(frame) - HEADER.size > limit:
        raise FrameTooLarge(
            f"output too large: {len(frame) - HEADER.size:,} bytes, the limit is {limit:,} bytes"
        )
    return frame


def encode_frame(message: dict) -> bytes:
    """The bytes of one frame; FrameTooLarge when the JSON body exceeds the cap."""
    body = _dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME_BYTES:
        raise FrameTooLarge(
            f"output too large: {len(body):,} bytes, the limit is {MAX_FRAME_BYTES:,} bytes"
        )
    return HEADER.pack(len(body)) + body


def write_all(fd: int, data: bytes) -> None:
    """Write every byte to a blocking fd (the side that runs student code)."""
    view = memoryview(data)
    while view:
        view = view[_write(fd, view) :]


def read_exact(fd: int, size: int) -> bytes:
    """Read exactly `size` bytes from a blocking fd; ChannelClosed on end of file."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = _read(fd, min(size - len(chunks), _READ_CHUNK))
        if not chunk:
            raise ChannelClosed("pipe closed")
        chunks += chunk
    return bytes(chunks)


def read_frame_blocking(fd: int) -> dict:
    """One frame from a blocking fd, used where waiting forever is the right thing."""
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    if size > MAX_FRAME_BYTES:
        raise FrameTooLarge(f"frame of {size:,} bytes")
    return parse_body(read_exact(fd, size))


def parse_body(body: bytes) -> dict:
    """The JSON object of a frame body; ProtocolError for anything else."""
    try:
        message = _loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"unreadable frame: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame must hold a JSON object")
    return message


class FrameReader:
    """Collects frames from a non-blocking fd; the trusted side reads with deadlines."""

    def __init__(self, fd: int, limit: int = MAX_FRAME_BYTES) -> None:
        self.fd, self.limit = fd, limit
        self._buffer = bytearray()
        self.closed = False
        os.set_blocking(fd, False)

    def fill(self) -> None:
        """Read what is available now; sets `closed` at end of file."""
        while not self.closed:
            try:
                chunk = os.read(self.fd, _READ_CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                self.closed = True
            self._buffer += chunk
            if len(chunk) < _READ_CHUNK:
                return

    def pop(self) -> dict | None:
        """The next whole frame in the buffer, or None; FrameTooLarge before reading it."""
        if len(self._buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self._buffer)
        if size > self.limit:
            raise FrameTooLarge(
                f"output too large: a frame of {size:,} bytes, the limit is {self.limit:,} bytes"
            )
        end = HEADER.size + size
        if len(self._buffer) < end:
            return None
        body = bytes(self._buffer[HEADER.size : end])
        del self._buffer[:end]
        if count_values(body) > MAX_FRAME_VALUES:
            raise FrameTooLarge(
                f"output too large: more than {MAX_FRAME_VALUES:,} values in one message"
            )
        return parse_body(body)

    def receive(self, deadline: float) -> dict:
        """Wait for the next frame until `deadline` (time.monotonic)."""
        while True:
            message = self.pop()
            if message is not None:
                return message
            if self.closed:
                raise ChannelClosed("pipe closed")
            wait_readable(self.fd, deadline)
            self.fill()


def count_values(body: bytes) -> int:
    """A bound, never below it, on the number of JSON values in ``body``: one for the
    whole, one per list or dict and one per separator outside strings. No decoding."""
    bare = _JSON_STRING.sub(b"", body)
    return bare.count(b",") + bare.count(b"[") + bare.count(b"{") + 1


def wait_readable(fd: int, deadline: float) -> None:
    """Block until fd is readable or closed; ChannelTimeout at the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
        raise ChannelTimeout("no answer before the deadline")


def send_frame(fd: int, frame: bytes, deadline: float) -> None:
    """Write one encoded frame to a non-blocking fd, giving up at the deadline."""
    view = memoryview(frame)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                raise ChannelTimeout("the reader did not take the frame in time") from None


def encode_plain(value: Any, limit: int = MAX_FRAME_BYTES) -> Any:
    """JSON-ready form of plain data; ProtocolError names the first value that is not.

    FrameTooLarge as soon as the JSON form would pass ``limit`` bytes: a list or dict is
    counted at two bytes an item before any item is read (an item and its separator), a
    string or key by its length, an array by its encoded size. A value of millions of
    items is refused at once, not after seconds of encoding.
    """
    return _PlainEncoder(limit).encode(value, 0)


class _PlainEncoder:
    def __init__(self, limit: int) -> None:
        self.limit, self.left = limit, limit - 1  # a bare scalar is one byte at least

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise FrameTooLarge(f"output too large: more than the limit of {self.limit:,} bytes")

    def encode(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError(f"plain data nested deeper than {MAX_DEPTH} levels")
        if value is None or isinstance(value, (bool, int, float, str)):
            if isinstance(value, str):
                self.spend(len(value) + 1)  # its quotes (one byte is counted by its container)
            return _scalar(value)
        if isinstance(value, np.generic) and value.dtype.kind in "biuf":
            return value.item()
        if isinstance(value, np.ndarray):
            return {ARRAY_KEY: self.encode_array(value)}
        if isinstance(value, (list, tuple)):
            self.spend(2 * len(value))  # with the byte its container counted: [] or [x,...]
            return [self.encode(item, depth + 1) for item in value]
        if isinstance(value, dict):
            return self.encode_dict(value, depth)
        raise ProtocolError(f"not plain data: a value of type {type(value).__name__}")

    def encode_dict(self, value: dict, depth: int) -> dict:
        if any(not isinstance(key, str) for key in value):
            raise ProtocolError("not plain data: a dict key that is not a str")
        if ARRAY_KEY in value:
            raise ProtocolError(f"not plain data: the dict key {ARRAY_KEY!r} is reserved")
        self.spend(sum(len(key) + 5 for key in value))  # "key":value, after {
        return {str(key): self.encode(item, depth + 1) for key, item in value.items()}

    def encode_array(self, array: np.ndarray) -> str:
        if array.dtype.kind not in ARRAY_KINDS:
            raise ProtocolError(f"not plain data: an array of dtype {array.dtype}")
        self.spend(len(ARRAY_KEY) + 6 + array.nbytes * 4 // 3)
        buffer = io.BytesIO()
        _write_array(buffer, np.asarray(array), allow_pickle=False)
        return _b64encode(buffer.getvalue()).decode("ascii")


def _scalar(value: Any) -> Any:
    """Builtin scalars as their exact builtin type (a bool or str subclass is flattened)."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def decode_plain(value: Any, depth: int = 0) -> Any:
    """Rebuild plain data from its JSON form, validating every node."""
    if depth > MAX_DEPTH:
        raise ProtocolError(f"plain data nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode_plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if ARRAY_KEY in value:
            return _decode_array(value)
        return {key: decode_plain(item, depth + 1) for key, item in value.items()}
    raise ProtocolError(f"not plain data: a value of type {type(value).__name__}")


def _decode_array(value: dict) -> np.ndarray:
    text = value[ARRAY_KEY]
    if len(value) != 1 or not isinstance(text, str):
        raise ProtocolError(f"malformed array: {ARRAY_KEY!r} must be the only key, a str")
    try:
        array = _read_array(io.BytesIO(_b64decode(text, validate=True)), allow_pickle=False)
    except Exception as exc:  # any malformed .npy payload is a protocol error
        raise ProtocolError(f"malformed array: {exc}") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in ARRAY_KINDS:
        raise ProtocolError("malformed array: only numeric and bool dtypes are plain data")
    return array
