"""Read a report (extracted text or PDF) into numbered lines.

Text files are read as UTF-8 (a BOM is dropped; CP-1252 is accepted with a warning). PDFs are read
with pypdf, page by page, and then go through exactly the same parser as text. Binary or empty input
raises :class:`SourceError` naming the file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Problem


class SourceError(Exception):
    """A source that cannot be read at all: names the file (and line where it applies)."""

    def __init__(self, path: str | Path, message: str, line: int = 0):
        self.path = str(path)
        self.line = line
        where = f"{Path(path).name}:{line}" if line else Path(path).name
        super().__init__(f"{where}: {message}")


@dataclass
class Document:
    name: str  # the file name, as used in the `source` column
    path: Path
    lines: list[str]
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    kind: str = "text"  # 'text' or 'pdf'

    def line(self, number: int) -> str:
        """The 1-based line ``number``."""
        return self.lines[number - 1]


def read_document(path: str | Path) -> Document:
    path = Path(path)
    if not path.exists():
        raise SourceError(path, "file not found")
    if path.is_dir():
        raise SourceError(path, "is a directory, not a report")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise SourceError(path, "empty file: no text to extract")
    if data[:5] == b"%PDF-" or path.suffix.lower() == ".pdf":
        lines = _pdf_lines(path, data)
        return Document(path.name, path, lines, digest, kind="pdf")
    problems: list[Problem] = []
    text = _decode_text(path, data, problems)
    lines = text.splitlines()
    return Document(path.name, path, lines, digest, problems=problems)


def _decode_text(path: Path, data: bytes, problems: list[Problem]) -> str:
    sample = data[:65536]
    if b"\x00" in sample:
        raise SourceError(path, "binary content (NUL bytes): not a text report; PDFs must start with %PDF-")
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if control > max(8, len(sample) // 100):
        raise SourceError(path, f"binary content ({control} control bytes in the first {len(sample)}): not a text report")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        problems.append(Problem(path.name, line, "warning", "encoding",
                                f"not valid UTF-8 (byte {e.start}); read as CP-1252"))
    return text


def _pdf_lines(path: Path, data: bytes) -> list[str]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as e:  # pragma: no cover - pypdf is a dependency
        raise SourceError(path, f"PDF support needs pypdf: {e}") from e
    import io

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise SourceError(path, f"unreadable PDF: {e}") from e
    lines: list[str] = []
    for text in pages:
        lines.extend(text.splitlines())
    if not any(line.strip() for line in lines):
        raise SourceError(path, "PDF has no extractable text (scanned image?)")
    return lines
