"""CSV header sniffing never raises on text that is not CSV."""

from __future__ import annotations

from monitor.ingest.readers.csvtext import header_of


def test_a_bare_carriage_return_inside_the_first_line_is_no_header():
    assert header_of("Topic,ID\rjunk,Start time\nrow") == ([], ",")


def test_a_header_is_split_by_its_delimiter_and_normalised():
    assert header_of("\ufeffTopic; Meeting ID ;Start time\r\n1;2;3") == (["topic", "meeting id", "start time"], ";")
