"""aiogram 3 against the emulator's file methods over a real socket: uploads, albums, getFile and bot.download."""

from __future__ import annotations

import io

import httpx
import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramEntityTooLarge, TelegramForbiddenError
from aiogram.types import BufferedInputFile, InputMediaDocument, InputMediaPhoto

from tests.botapi import images

pytestmark = pytest.mark.anyio
PHOTO = images.png(64, 48)


async def test_send_photo_get_file_and_download(bot, server):
    sent = await bot.send_photo(111, BufferedInputFile(PHOTO, "shot.png"), caption="<b>Hi</b>", parse_mode="HTML")
    largest = sent.photo[-1]
    assert (largest.width, largest.height, largest.file_size, sent.caption) == (64, 48, len(PHOTO), "Hi")
    assert sent.caption_entities[0].type == "bold"
    file = await bot.get_file(largest.file_id)
    assert file.file_path == "photos/file_0.jpg" and file.file_unique_id == largest.file_unique_id
    downloaded = await bot.download(file)  # GET /file/bot<token>/<file_path> over the socket
    assert isinstance(downloaded, io.BytesIO) and downloaded.getvalue() == PHOTO
    by_id = io.BytesIO()
    await bot.download(largest.file_id, destination=by_id)  # aiogram calls getFile itself
    assert by_id.getvalue() == PHOTO
    again = await bot.send_photo(111, largest.file_id)
    assert again.photo[-1].file_id == largest.file_id
    async with httpx.AsyncClient(base_url=server) as control:
        history = (await control.get("/_mock/telegram/chats/111/messages")).json()["messages"]
        assert [m["photo"][0]["file_id"] for m in history] == [largest.file_id] * 2
        assert (await control.get(f"/_mock/telegram/files/{largest.file_id}")).content == PHOTO


async def test_send_document_and_download_it(bot):
    sent = await bot.send_document(111, BufferedInputFile(b"name,qty\nsocks,2\n", "order.csv"), caption="Your order")
    document = sent.document
    assert (document.file_name, document.mime_type, document.file_size) == ("order.csv", "text/csv", 17)
    file = await bot.get_file(document.file_id)
    assert file.file_path == "documents/file_0.csv"
    assert (await bot.download_file(file.file_path)).getvalue() == b"name,qty\nsocks,2\n"


async def test_send_media_group_of_photos_and_of_documents(bot):
    photos = await bot.send_media_group(111, [
        InputMediaPhoto(media=BufferedInputFile(PHOTO, "a.png"), caption="first"),
        InputMediaPhoto(media=BufferedInputFile(images.jpeg(320, 200), "b.jpg")),
    ])
    assert [m.message_id for m in photos] == [1, 2]
    assert photos[0].media_group_id == photos[1].media_group_id is not None
    assert (photos[0].caption, photos[1].photo[-1].width) == ("first", 320)
    documents = await bot.send_media_group(111, [
        InputMediaDocument(media=BufferedInputFile(b"one", "1.txt")),
        InputMediaDocument(media=BufferedInputFile(b"two", "2.txt"), caption="two"),
    ])
    assert [m.document.file_name for m in documents] == ["1.txt", "2.txt"]
    assert (await bot.download(documents[1].document.file_id)).getvalue() == b"two"


async def test_refusals_become_aiogram_exceptions(bot, emulator):
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(111, "AgACAgAAAAAHW80VAAAAAJLsGduAo52uBA")
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("not-a-file-id!")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_document(222, BufferedInputFile(b"x", "x.txt"))
    with pytest.raises(TelegramBadRequest, match="document can't be mixed with other media types"):
        await bot.send_media_group(111, [
            InputMediaPhoto(media=BufferedInputFile(PHOTO, "a.png")),
            InputMediaDocument(media=BufferedInputFile(b"x", "x.txt")),
        ])
    emulator.world.files.capacity = 10
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_photo(111, BufferedInputFile(PHOTO, "a.png"))
    assert len(emulator.world.files) == 0
