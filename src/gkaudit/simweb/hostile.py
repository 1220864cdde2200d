"""Hostile bodies for the simulated web: decompression bombs and pathological pages, made once per site.

Every body is built lazily and cached, so a site that is never asked for its bomb costs nothing.
Bombs are compressed in a stream (a 1 GB bomb never exists decompressed in memory).
"""

from __future__ import annotations

import os
import zlib
from functools import lru_cache

from gkaudit.simweb.manifest import Bomb, FixtureSite, Generated

_CHUNK = b"<p>" + b"0" * 65_529 + b"</p>\n"


def _compress(data_chunks, encoding: str):  # type: ignore[no-untyped-def]
    """Compress an iterable of byte chunks with one Content-Encoding (gzip or deflate), streaming."""
    wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    for chunk in data_chunks:
        if out := compressor.compress(chunk):
            yield out
    yield compressor.flush()


def _zeros(size: int):  # type: ignore[no-untyped-def]
    sent = 0
    while sent < size:
        piece = _CHUNK[: size - sent]
        sent += len(piece)
        yield piece


@lru_cache(maxsize=32)
def bomb_body(size: int, encoding: str) -> bytes:
    """`size` bytes of HTML encoded with each layer of `encoding` ("gzip, gzip": gzip applied twice)."""
    layers = [e.strip().lower() for e in encoding.split(",") if e.strip()]
    stream = _zeros(size)
    for layer in layers:  # Content-Encoding lists layers in the order they were applied
        if layer == "br":
            import brotli  # type: ignore[import-not-found]  # only with the optional brotli package

            stream = iter([brotli.compress(b"".join(stream))])
        else:
            stream = _compress(stream, layer)
    return b"".join(stream)


def bomb_reply(bomb: Bomb) -> tuple[bytes, dict[str, str]]:
    return bomb_body(bomb.size, bomb.encoding), {"Content-Type": "text/html; charset=utf-8",
                                                 "Content-Encoding": bomb.encoding}


@lru_cache(maxsize=32)
def generated_body(kind: str, count: int) -> bytes:
    """A hostile page: `nested` <div>s, a createPageHTML call with `count` digits, random bytes, or nothing."""
    if kind == "nested":
        return (b"<html><head><title>nested</title></head><body>" + b"<div>" * count + b"x" + b"</div>" * count
                + b"</body></html>")
    if kind == "digits":
        digits = b"9" * count
        return (b"<html><head><title>digits</title></head><body><div id='pages'></div><script>createPageHTML("
                + digits + b", 0, 1, 'index', 'html', " + digits + b");</script><p>2025-" + digits
                + b"-01</p><a href='/list_" + digits + b".html'>page</a></body></html>")
    if kind == "binary":
        return os.urandom(count)
    if kind == "bigtext":
        return _bigtext(count)
    if kind == "pdfbomb":
        return _pdf_bomb(count)
    return b""


def generated_reply(spec: Generated) -> tuple[bytes, dict[str, str]]:
    return generated_body(spec.kind, spec.count), {"Content-Type": spec.content_type}


def warm_hostile_bodies(sites: list[FixtureSite]) -> None:
    """Build every site's bombs and generated bodies now (they are cached for the answers)."""
    for site in sites:
        for bomb in site.manifest.bombs.values():
            bomb_body(bomb.size, bomb.encoding)
        for spec in site.manifest.generated.values():
            generated_body(spec.kind, spec.count)


def _bigtext(size: int) -> bytes:
    """About `size` bytes of a page that is all text: what regexes over page text meet at their worst."""
    pieces = [b"<html><head><title>\xe5\x8d\x97\xe4\xba\xac</title><meta charset='utf-8'></head><body>"]
    unit = ("<p>南京市人民政府办公厅关于印发2025年政务公开工作要点的通知 2025-06-01 "
            "<a href='/xxgk/t20250601_1.html'>政府信息公开</a> 苏ICP备 "
            "<span>          \t\t\t\t        </span>" + "年" * 40 + "-" * 40 + "2025年" * 10
            + "<script>for(i=0;i<n;i++){location.href}</script>" + "<!--" + " " * 50 + "</p>\n").encode()
    total = len(pieces[0])
    while total < size:
        pieces.append(unit)
        total += len(unit)
    pieces.append(b"</body></html>")
    return b"".join(pieces)


def _pdf_bomb(size: int) -> bytes:
    """A one-page PDF whose Flate content stream inflates to about `size` bytes of text operators."""
    ops = b"0 0 Td (x) Tj " * 70_000
    stream = b"".join(_compress((ops for _ in range(max(1, size // len(ops)))), "deflate"))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
