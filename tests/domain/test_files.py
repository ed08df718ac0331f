"""The file store's rules without HTTP: image sizes, ids, Telegram's limits and texts, the byte cap."""

from __future__ import annotations

import base64

import pytest

from mockserver.domain.contacts.apps import App
from mockserver.domain.telegram.chats import TelegramError
from mockserver.domain.telegram.files import (
    DOCUMENT,
    MAX_DOWNLOAD_BYTES,
    MAX_PHOTO_BYTES,
    MAX_UPLOAD_BYTES,
    PHOTO,
    FileStore,
    decode_file_id,
)
from mockserver.domain.telegram.images import image_size
from mockserver.domain.telegram.media import FieldError, parse_caption, parse_entities
from tests.botapi import images

SHOP = App("3fa85f64-5717-4562-b3fc-2c963f66afa6", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "demo_shop_bot")
OTHER = App("6f1c2d3e-0000-4000-8000-000000000002", "987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2", "other_bot")


def refusal(call) -> tuple[int, str]:
    with pytest.raises(TelegramError) as caught:
        call()
    return caught.value.error_code, caught.value.description


@pytest.mark.parametrize(
    "data, size",
    [
        (images.png(640, 480), (640, 480)),
        (images.jpeg(1280, 720), (1280, 720)),
        (images.gif(10, 20), (10, 20)),
        (images.bmp(33, 44), (33, 44)),
        (images.webp_lossless(300, 200), (300, 200)),
        (images.webp_extended(1000, 999), (1000, 999)),
        (images.webp_lossy(64, 48), (64, 48)),
        (b"%PDF-1.7", None),
        (b"\x89PNG\r\n\x1a\n", None),  # cut short
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),  # no frame before the end
    ],
)
def test_image_sizes_come_from_the_header(data, size):
    assert image_size(data) == size


def test_an_upload_gets_telegram_looking_ids_that_name_kind_bot_and_content():
    store = FileStore()
    photo = store.upload(SHOP, PHOTO, images.png(8, 6), "x.png", "image/png")
    document = store.upload(SHOP, DOCUMENT, b"%PDF-1.7", "report.pdf", "application/pdf")
    store.make_room([photo, document])
    store.commit([photo, document])
    assert (photo.number, document.number) == (0, 1)
    assert photo.file_id.startswith("AgACAg") and document.file_id.startswith("BQACAg")
    assert photo.file_unique_id.startswith("AQAD") and photo.file_unique_id != document.file_unique_id
    assert (photo.width, photo.height, photo.file_name, photo.mime_type) == (8, 6, None, None)
    assert (photo.file_path, document.file_path) == ("photos/file_0.jpg", "documents/file_1.pdf")
    assert store.resolve(SHOP, PHOTO, photo.file_id) is photo
    assert store.used == photo.size + document.size
    # The same bytes uploaded again are a new file, as in Telegram; ids follow number and content.
    again = store.upload(SHOP, PHOTO, images.png(8, 6), None, None)
    store.commit([again])
    assert again.file_id != photo.file_id and again.number == 2


def test_a_file_id_belongs_to_its_bot():
    store = FileStore()
    photo = store.upload(SHOP, PHOTO, images.png(), None, None)
    store.commit([photo])
    assert refusal(lambda: store.resolve(OTHER, PHOTO, photo.file_id)) == (400, "Bad Request: wrong file identifier/HTTP URL specified")
    assert refusal(lambda: store.get_file(OTHER, photo.file_id)) == (400, "Bad Request: wrong file_id or the file is temporarily unavailable")
    assert store.download(OTHER, "photos/file_0.jpg") is None
    assert store.download(SHOP, "photos/file_0.jpg") == images.png()


@pytest.mark.parametrize(
    "ref, description",
    [
        ("A", "wrong remote file identifier specified: Wrong string length"),
        ("AB$D", "wrong remote file identifier specified: Wrong character in the string"),
        ("AB===", "wrong remote file identifier specified: Wrong string padding"),
        ("ABC==", "wrong remote file identifier specified: Wrong padding length"),
        ("AB", "wrong remote file identifier specified: Wrong padding in the string"),
        ("AAAA", "wrong remote file identifier specified: can't unserialize it. Wrong last symbol"),
        ("AAAE", "wrong remote file identifier specified: can't unserialize it"),
        ("ftp://example.com/a.jpg", "invalid file HTTP URL specified: Unsupported URL protocol"),
        ("https:///a.jpg", "invalid file HTTP URL specified: URL host is empty"),
        ("http://example.com:99999/a.jpg", "invalid file HTTP URL specified: Wrong port number specified in the URL"),
    ],
)
def test_what_a_send_refuses_as_a_file_reference(ref, description):
    assert refusal(lambda: FileStore().resolve(SHOP, PHOTO, ref)) == (400, f"Bad Request: {description}")


def test_a_well_formed_id_of_no_file_and_a_kind_mismatch():
    store = FileStore()
    document = store.upload(SHOP, DOCUMENT, b"data", "a.txt", "text/plain")
    store.commit([document])
    assert refusal(lambda: store.resolve(SHOP, PHOTO, document.file_id)) == (400, "Bad Request: can't use file of type Document as Photo")
    gone = FileStore()
    assert refusal(lambda: gone.resolve(SHOP, DOCUMENT, document.file_id)) == (400, "Bad Request: wrong file identifier/HTTP URL specified")
    assert decode_file_id(document.file_id + "==")  # padding is accepted, as tdlib accepts it
    assert store.resolve(SHOP, DOCUMENT, document.file_id + "==") is document


def test_a_url_is_recorded_not_fetched():
    store = FileStore()
    file = store.resolve(SHOP, DOCUMENT, "https://cdn.example.com/files/terms.pdf?v=2")
    store.commit([file])
    assert (file.data, file.url, file.file_name, file.file_path, file.size) == (None, "https://cdn.example.com/files/terms.pdf?v=2", "terms.pdf", None, 0)
    assert "file_size" not in file.document() and file.document()["file_name"] == "terms.pdf"
    assert refusal(lambda: store.get_file(SHOP, file.file_id)) == (400, "Bad Request: wrong file_id or the file is temporarily unavailable")
    assert store.resolve(SHOP, PHOTO, "example.com/a.jpg").url == "example.com/a.jpg"  # no scheme: http, as tdlib reads it


def test_telegram_size_limits_per_type():
    store = FileStore()
    assert refusal(lambda: store.upload(SHOP, PHOTO, b"", None, None)) == (400, "Bad Request: file must be non-empty")
    big_photo = images.png() + b"\x00" * (MAX_PHOTO_BYTES + 1 - len(images.png()))
    assert refusal(lambda: store.upload(SHOP, PHOTO, big_photo, None, None)) == (
        400, f"Bad Request: file of size {MAX_PHOTO_BYTES + 1} bytes is too big for a photo; the maximum size is 10485760 bytes",
    )
    assert store.upload(SHOP, DOCUMENT, big_photo, "big.png", None).size == MAX_PHOTO_BYTES + 1  # a document may be larger
    assert refusal(lambda: store.upload(SHOP, DOCUMENT, b"x" * (MAX_UPLOAD_BYTES + 1), None, None)) == (413, "Request Entity Too Large")
    assert refusal(lambda: store.upload(SHOP, PHOTO, b"not an image", None, None)) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    assert refusal(lambda: store.upload(SHOP, PHOTO, images.png(1, 21), None, None)) == (400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    assert refusal(lambda: store.upload(SHOP, PHOTO, images.jpeg(6000, 4001), None, None)) == (400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    assert store.upload(SHOP, PHOTO, images.png(1, 20), None, None).height == 20


def test_get_file_limits_and_texts():
    store = FileStore()
    big = store.upload(SHOP, DOCUMENT, b"x" * (MAX_DOWNLOAD_BYTES + 1), "big.bin", None)
    store.commit([big])
    assert refusal(lambda: store.get_file(SHOP, big.file_id)) == (400, "Bad Request: file is too big")
    assert store.download(SHOP, big.file_path) is None
    assert refusal(lambda: store.get_file(SHOP, "")) == (400, "Bad Request: file_id not specified")
    assert refusal(lambda: store.get_file(SHOP, "not a file id")) == (400, "Bad Request: invalid file_id")
    assert refusal(lambda: store.get_file(SHOP, "AAAA")) == (400, "Bad Request: invalid file_id")


def test_the_byte_cap_refuses_before_anything_changes():
    store = FileStore(capacity=100)
    first = store.upload(SHOP, DOCUMENT, b"x" * 60, "a.bin", None)
    store.make_room([first])
    store.commit([first])
    second = store.upload(SHOP, DOCUMENT, b"y" * 41, "b.bin", None)
    code, description = refusal(lambda: store.make_room([second]))
    assert code == 413 and description.startswith("Request Entity Too Large: the emulator's file store is full (60 of 100 bytes held, 41 more needed)")
    assert (len(store), store.used, second.number) == (1, 60, -1)
    store.make_room([first])  # a file already kept needs no room
    store.make_room([store.upload(SHOP, DOCUMENT, b"z" * 40, "c.bin", None)])


def test_captions_parse_like_texts_with_their_own_limit():
    assert parse_caption(None, None, None) == ("", [])
    assert parse_caption("  ", None, None) == ("", [])
    assert parse_caption("<b>Sale</b> now", "HTML", [{"type": "italic", "offset": 0, "length": 1}]) == (
        "Sale now", [{"type": "bold", "offset": 0, "length": 4}],
    )  # parse_mode wins over caption_entities, as in Telegram's server
    assert parse_caption("Sale now", None, [{"type": "italic", "offset": 5, "length": 99}]) == (
        "Sale now", [{"offset": 5, "length": 3, "type": "italic"}],
    )
    with pytest.raises(TelegramError, match="message caption is too long"):
        parse_caption("x" * 1025, None, None)
    with pytest.raises(TelegramError, match="message caption is too long"):
        parse_caption("<b>" + "x" * 5000 + "</b>", "HTML", None)
    assert parse_caption("x" * 1024, None, None)[0] == "x" * 1024


@pytest.mark.parametrize(
    "entity, message",
    [
        ("bold", "expected an Object"),
        ({"length": 1, "type": "bold"}, 'Can\'t find field "offset"'),
        ({"offset": "a", "length": 1, "type": "bold"}, 'Field "offset" must be a valid Number'),
        ({"offset": 0, "length": [1], "type": "bold"}, 'Field "length" must be a Number'),
        ({"offset": 0, "length": 1}, 'Can\'t find field "type"'),
        ({"offset": 0, "length": 1, "type": ""}, "Type is not specified"),
        ({"offset": 0, "length": 1, "type": "shout"}, "Unsupported type specified"),
        ({"offset": 0, "length": 1, "type": "text_link"}, 'Can\'t find field "url"'),
        ({"offset": 0, "length": 1, "type": "text_mention"}, 'Can\'t find field "user"'),
    ],
)
def test_caption_entities_are_refused_in_tdlib_words(entity, message):
    with pytest.raises(FieldError, match=message.replace('"', '.').replace("(", ".")):
        parse_entities([entity], "text")
    with pytest.raises(TelegramError) as caught:
        parse_caption("text", None, [entity])
    assert caught.value.description == f"Bad Request: can't parse MessageEntity: {message}"


def test_entities_telegram_finds_itself_are_dropped_and_extras_kept():
    entities = [
        {"offset": 0, "length": 4, "type": "url"},
        {"offset": 0, "length": 4, "type": "text_link", "url": "https://shop.example"},
        {"offset": 5, "length": 3, "type": "pre", "language": "python"},
        {"offset": 0, "length": 2, "type": "custom_emoji", "custom_emoji_id": "5368324170671202286"},
        {"offset": 9, "length": 1, "type": "bold"},  # beyond the text
    ]
    assert parse_entities(entities, "shop now!") == [
        {"offset": 0, "length": 4, "type": "text_link", "url": "https://shop.example"},
        {"offset": 0, "length": 2, "type": "custom_emoji", "custom_emoji_id": "5368324170671202286"},
        {"offset": 5, "length": 3, "type": "pre", "language": "python"},
    ]
    assert parse_entities("not a list", "x") == [] and parse_entities(None, "x") == []


def test_snapshot_data_is_plain_base64():
    store = FileStore()
    file = store.upload(SHOP, DOCUMENT, b"\x00\x01binary", "b.bin", None)
    store.commit([file])
    from mockserver.domain.snapshot.files import dump_file

    assert base64.b64decode(dump_file(file)["data"]) == b"\x00\x01binary"
