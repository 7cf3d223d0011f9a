"""Text encodings of exports: UTF-8 with or without BOM, UTF-16 (Teams, some Excel saves),
and cp1251 after an Excel re-save under a Ukrainian locale. The BOM is sniffed first, then
strict UTF-8, then cp1251; binary junk is refused."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 64 * 1024
_CHUNK = 4 * 1024 * 1024


class NotText(ValueError):
    """The bytes are not text in any encoding an export uses."""


@dataclass(frozen=True)
class Head:
    """The first bytes of a file, decoded: enough to sniff its format."""

    path: Path
    size: int
    encoding: str  # a Python codec name
    text: str  # decoded head; may end in the middle of a line
    complete: bool  # the head is the whole file


def read_head(path: Path) -> Head:
    size = path.stat().st_size
    with open(path, "rb") as handle:
        raw = handle.read(HEAD_BYTES)
    complete = len(raw) >= size
    encoding = detect_encoding(raw, complete)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    text = decoder.decode(raw, final=complete)
    return Head(path=path, size=size, encoding=encoding, text=text, complete=complete)


def detect_encoding(raw: bytes, complete: bool) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _looks_utf16_without_bom(raw):
        encoding = "utf-16-le"
    elif b"\x00" in raw[:8192]:
        raise NotText("binary data")
    else:
        try:
            codecs.getincrementaldecoder("utf-8")(errors="strict").decode(raw, final=complete)
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1251"
    try:
        text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(raw, final=complete)
    except UnicodeDecodeError as exc:
        raise NotText(f"undecodable bytes at offset {exc.start}") from None
    if _binary(text):
        raise NotText("binary data")
    return encoding


def _looks_utf16_without_bom(raw: bytes) -> bool:
    sample = raw[:512]
    return len(sample) >= 8 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0


def _binary(text: str) -> bool:
    sample = text[:8192]
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(sample) // 100)


def utf8_copy(head: Head, workdir: Path) -> Path:
    """A UTF-8 path with the file's content: the file itself when it is plain UTF-8 (a BOM
    is fine for polars), otherwise a transcoded copy in `workdir`, streamed in chunks."""
    if head.encoding in ("utf-8", "utf-8-sig"):
        return head.path
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"{head.path.name}.utf8"
    decoder = codecs.getincrementaldecoder(head.encoding)(errors="strict")
    offset = 0
    with open(head.path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(_CHUNK):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                raise NotText(f"undecodable bytes at offset {offset + exc.start}") from None
            offset += len(chunk)
        dst.write(decoder.decode(b"", final=True))
    return target


def read_text(head: Head) -> str:
    """The whole file as text (for small formats)."""
    if head.complete:
        return head.text
    try:
        return head.path.read_bytes().decode(head.encoding)
    except UnicodeDecodeError as exc:
        raise NotText(f"undecodable bytes at offset {exc.start}") from None
