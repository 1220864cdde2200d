"""Content-Encoding decoding with the body cap applied to decoded bytes, while decoding, on every layer.

httpx decodes each network chunk in one call, so a few kilobytes of a layered gzip bomb can expand
to gigabytes before any cap sees them. Here every layer hands on at most `_STEP` bytes at a time,
so memory stays at the cap plus a few buffers whatever the compression ratio.
We advertise only gzip and deflate; any other coding a server sends anyway is passed through as is.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from gkaudit.net.failures import FailureKind, NetError

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024
MAX_LAYERS = 4


class _Layer:
    """One zlib layer (gzip or deflate; deflate with or without the zlib header, as browsers accept)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode `data` lazily, in pieces of at most _STEP bytes (the caller caps the total)."""
        while data and not self._z.eof:
            try:
                out = self._z.decompress(data, _STEP)
            except zlib.error:
                if self.coding == "deflate" and not self._started:  # raw deflate, no zlib header
                    self._z, self._started = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise
            self._started = True
            data = self._z.unconsumed_tail
            if out:
                yield out


class CappedDecoder:
    """Feed raw body bytes, get decoded bytes; NetError(too_large) once decoded output passes `max_bytes`."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        codings = [c.strip().lower().removeprefix("x-") for c in content_encoding.split(",")]
        # Layers are listed in the order they were applied: undo them from the last one.
        layers = [c for c in reversed(codings) if c in ("gzip", "deflate")]
        if len(layers) > MAX_LAYERS:  # no server compresses thrice; each layer costs a decoder and a frame
            raise NetError(FailureKind.TOO_LARGE, f"{len(layers)} 层内容编码，上限 {MAX_LAYERS} / too many Content-Encoding layers")
        self._layers = [_Layer(c) for c in layers]
        self.max_bytes = max_bytes
        self.raw_size = 0
        self.size = 0
        self._chunks: list[bytes] = []

    def feed(self, raw: bytes) -> None:
        self.raw_size += len(raw)
        if self.raw_size > self.max_bytes:
            raise NetError(FailureKind.TOO_LARGE, f"超过 {self.max_bytes} 字节上限")
        try:
            self._push(0, raw)
        except zlib.error as exc:
            raise NetError(FailureKind.CONNECTION_ERROR, f"内容编码损坏 / corrupt Content-Encoding: {exc}") from None

    def _push(self, index: int, data: bytes) -> None:
        if index == len(self._layers):
            self.size += len(data)
            if self.size > self.max_bytes:
                raise NetError(FailureKind.TOO_LARGE, f"解压后超过 {self.max_bytes} 字节上限 / decoded body over the cap")
            self._chunks.append(data)
            return
        for piece in self._layers[index].feed(data):
            self._push(index + 1, piece)

    def body(self) -> bytes:
        return b"".join(self._chunks)


def inflated_size(data: bytes, start: int, cap: int) -> int:
    """Bytes the zlib stream at `data[start:]` inflates to, counting stops past `cap`; 0 if it is no zlib
    stream. Streams in pieces: a bomb is measured, never held."""
    inflater = zlib.decompressobj()
    size = 0
    view = memoryview(data)[start:]
    try:
        chunk = inflater.decompress(view[:_STEP], _STEP)
        offset = _STEP
        while True:
            size += len(chunk)
            if size > cap or inflater.eof:
                return size
            tail = inflater.unconsumed_tail
            if not tail:
                if offset >= len(view):
                    return size
                tail, offset = view[offset:offset + _STEP], offset + _STEP
            chunk = inflater.decompress(tail, _STEP)
    except zlib.error:
        return size
