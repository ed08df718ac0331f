"""Header spelling on the wire (see mockserver.wire)."""

from mockserver.wire import respell


def test_known_names_get_their_real_spelling_in_the_head_only():
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntotalcount: 3\r\n\r\n"
    assert respell(head) == head.replace(b"totalcount", b"TotalCount")
    with_body = head + b"\r\ntotalcount: 1"
    assert respell(with_body).endswith(b"\r\ntotalcount: 1")


def test_other_names_stay_as_they_are():
    head = b"HTTP/1.1 200 OK\r\nx-totalcount: 3\r\n\r\n"
    assert respell(head) == head
