"""Captured text with a length cap: the first `limit` characters and a count of the rest."""

from __future__ import annotations

import codecs


def truncation_marker(dropped: int) -> str:
    """The line that replaces text beyond the cap."""
    return f"\n… [output truncated: {dropped} more characters]"


def truncate_text(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with a marker saying how many were dropped."""
    if len(text) <= limit:
        return text
    return text[:limit] + truncation_marker(len(text) - limit)


class OutputCapture:
    """Bytes read from a captured fd, decoded as UTF-8, kept up to `limit` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: list[str] = []
        self._kept_chars = 0
        self._dropped = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> None:
        """Add raw bytes as they arrive; text beyond the cap is only counted."""
        self._add(self._decoder.decode(data))

    def text(self) -> str:
        """Everything kept so far, with the truncation marker when text was dropped."""
        self._add(self._decoder.decode(b"", final=True))
        kept = "".join(self._kept)
        return kept + truncation_marker(self._dropped) if self._dropped else kept

    def _add(self, text: str) -> None:
        room = self.limit - self._kept_chars
        if room > 0:
            self._kept.append(text[:room])
            self._kept_chars += min(room, len(text))
        self._dropped += max(0, len(text) - max(room, 0))
