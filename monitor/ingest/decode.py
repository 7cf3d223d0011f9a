"""Text encodings of exports: UTF-8 with or without BOM, UTF-16 (Teams, some Excel saves),
and cp1251 after an Excel re-save under a Ukrainian locale. The BOM is sniffed first, then
strict UTF-8, then cp1251; binary junk is refused."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, replace
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

    @property
    def lone_cr(self) -> bool:
        """Lines end in a bare carriage return (Excel for Mac's "CSV (Macintosh)"), which
        neither polars nor a line split on newlines reads as line ends."""
        return "\n" not in self.text and "\r" in self.text


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
    """A UTF-8 path with the file's content and newline line ends: the file itself when it
    is plain UTF-8 (a BOM is fine for polars), otherwise a copy in `workdir`, streamed in
    chunks."""
    if head.encoding in ("utf-8", "utf-8-sig") and not head.lone_cr:
        return head.path
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"{head.path.name}.utf8"
    decoder = codecs.getincrementaldecoder(head.encoding)(errors="strict")
    offset = 0
    with open(head.path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(_CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise NotText(f"undecodable bytes at offset {offset + exc.start}") from None
            dst.write(text.replace("\r", "\n") if head.lone_cr else text)
            offset += len(chunk)
        dst.write(decoder.decode(b"", final=True))
    return target


def whole_file(head: Head) -> Head:
    """`head`, with the encoding of the whole file, for a file whose head read as UTF-8 but
    whose later bytes did not (polars or a full decode refused them). An Excel re-save in
    cp1251 whose first 64 KiB happen to be ASCII is cp1251; a file cut in the middle of a
    character, or mixing encodings, is not text."""
    if head.complete or head.encoding not in ("utf-8", "utf-8-sig"):
        return head
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    offset = 0
    with open(head.path, "rb") as src:
        while chunk := src.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                if head.encoding == "utf-8" and head.text.isascii():
                    return replace(head, encoding="cp1251")
                raise NotText(f"undecodable bytes at offset {offset + exc.start}") from None
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise NotText("the file ends in the middle of a character; the download looks cut short, "
                      "export it again") from None
    return head


def read_text(head: Head) -> str:
    """The whole file as text (for small formats), with newline line ends."""
    text = head.text if head.complete else _decode_all(head)
    return text.replace("\r", "\n") if head.lone_cr else text


def _decode_all(head: Head) -> str:
    raw = head.path.read_bytes()
    try:
        return raw.decode(head.encoding)
    except UnicodeDecodeError:
        head = whole_file(head)  # raises NotText, or names the encoding that fits
    try:
        return raw.decode(head.encoding)
    except UnicodeDecodeError as exc:
        raise NotText(f"undecodable bytes at offset {exc.start}") from None
