"""The wire between the grader and a sandboxed worker: framing, operations and bounds.

Every message is one frame: an 8-byte big-endian length, then that many bytes of UTF-8
JSON. Both sides use this module and nothing else to speak, so the framing and the names
of the operations are defined once. The trusted side treats the worker as hostile:

- the length in the header is checked against ``max_bytes`` before a byte of the body is
  read (an announced gigabyte costs nothing);
- the whole frame, header and body, has one deadline: a worker that sends half a header,
  or half a body, and sleeps is cut off when the deadline passes;
- before JSON is parsed, the body's containers and items are counted (a cheap upper bound
  from ``{``, ``[`` and ``,``), so that millions of tiny objects cannot blow the grader's
  memory up while they are decoded; nesting is bounded by the JSON parser's recursion
  limit, caught here.

A frame that breaks a bound raises ``ProtocolError`` with a ``kind`` the grader turns into
a named reason. This module imports only the standard library: the sandbox side needs
nothing else to speak, and the trusted side imports nothing of the sandbox's.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time

HEADER = struct.Struct("!Q")

# Operations the grader sends a worker (and a worker's greeting).
HELLO = "hello"  # the worker's first frame: it started and can speak (pid, uid)
RUN = "run"  # execute cells: {"cells": [{"id", "source"}]} -> {"errors": {id: text}}
CALL = "call"  # call a function: {"name", "args", "kwargs", "rng"} -> result or error
GET = "get"  # read a variable: {"name"} -> {"ok", "value"}
EXIT = "exit"  # end the worker (or the zygote)
# Operations the grader sends a zygote.
PRELOAD = "preload"  # import modules once: {"modules"} -> {"ok", "failed"}
FORK = "fork"  # fork a worker on two descriptors sent with SCM_RIGHTS -> {"ok"}
PING = "ping"  # are you there? -> {"ok"}
END = "end"  # wait for the child, kill what is left, empty /tmp -> {"ok", "status"}

MAX_BYTES = 64 * 2**20  # one frame; the largest honest one (an image batch) is ~30 MB
MAX_CONTAINERS = 200_000  # JSON objects and arrays in one frame
MAX_ITEMS = 2_000_000  # JSON items (commas) in one frame


class ProtocolError(Exception):
    """A frame from the peer broke the protocol; ``kind`` says how.

    kinds: "closed" (the peer closed mid-frame), "timeout" (the frame was not complete by
    its deadline), "too_large" (announced or counted over a bound), "malformed" (not
    UTF-8 JSON, or nested too deeply).
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def encode_frame(message) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


def send(fd: int, message, *, deadline: float | None = None) -> None:
    """Write one frame.

    With a deadline, fd must be non-blocking (``os.set_blocking(fd, False)``): a peer that
    stops reading cannot hold the writer past the deadline.
    """
    view = memoryview(encode_frame(message))
    while view:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                raise ProtocolError("timeout", "the peer did not read the message by its "
                                               "deadline")
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[written:]


def receive(fd: int, *, deadline: float | None = None, max_bytes: int = MAX_BYTES):
    """Read one frame; None when the peer closed before sending any byte of it.

    deadline is a time.monotonic() value for the whole frame (None: wait forever, for a
    peer that is trusted, such as the grader seen from the worker).
    """
    header = _read_exact(fd, HEADER.size, deadline, first=True)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > max_bytes:
        raise ProtocolError("too_large", f"a message of {size} bytes was announced; the "
                                         f"limit is {max_bytes} bytes")
    body = _read_exact(fd, size, deadline) if size else b""
    return parse(body)


def parse(body: bytes):
    """The JSON value of a frame's body, within the container and item bounds."""
    containers = body.count(b"{") + body.count(b"[")
    if containers > MAX_CONTAINERS:
        raise ProtocolError("too_large", f"a message holding over {MAX_CONTAINERS} objects "
                                         "or lists")
    if body.count(b",") >= MAX_ITEMS:
        raise ProtocolError("too_large", f"a message holding over {MAX_ITEMS} items")
    try:
        return json.loads(body.decode("utf-8"))
    except RecursionError:
        raise ProtocolError("malformed", "a message nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError("malformed", f"a message that is not JSON ({exc})"[:200]) from None


def _read_exact(fd: int, size: int, deadline: float | None, first: bool = False):
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            ready = remaining > 0 and select.select([fd], [], [], remaining)[0]
            if not ready:
                raise ProtocolError("timeout", f"the message was incomplete at its deadline "
                                               f"({got} of {size} bytes)")
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            if first and got == 0:
                return None
            raise ProtocolError("closed", f"the peer closed after {got} of {size} bytes")
        view[got:got + len(chunk)] = chunk
        got += len(chunk)
    return buffer
