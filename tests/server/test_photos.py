"""Profile photos (issue 12): checked, re-encoded without metadata, served by version,
told to others, and gone with their person."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from PIL import Image

from server import photos
from server.config import load
from tests.conftest import Person, Server, running
from tests.server.test_erasure import file_bytes


def image(fmt: str = "PNG", size: tuple[int, int] = (400, 300), *, gps: bool = False,
          orientation: int | None = None, colour: str = "#2f5d8a") -> bytes:
    """An image of `size`, optionally with EXIF GPS position and orientation."""
    im = Image.new("RGB", size, colour)
    im.paste("#ffcc00", (0, 0, size[0] // 2, size[1]))  # left half yellow
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (60.0, 10.0, 12.5), 3: "E", 4: (24.0, 56.0, 30.0)}
        exif[0x010F] = "Marker-Camera-4471"  # Make
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    im.save(out, format=fmt, exif=exif.tobytes() if len(exif) else b"")
    return out.getvalue()


async def upload(server: Server, who: Person, body: bytes | io.BytesIO | Any,
                 content_type: str = "image/png") -> tuple[int, dict]:
    async with server.http.put(
            f"{server.url}/api/me/photo",
            data=io.BytesIO(body) if isinstance(body, bytes) else body,
            headers={"Authorization": f"Bearer {who.token}", "Content-Type": content_type},
    ) as resp:
        return resp.status, await resp.json()


async def fetch(server: Server, url: str) -> tuple[int, bytes, dict[str, str]]:
    async with server.http.get(server.url + url) as resp:
        return resp.status, await resp.read(), dict(resp.headers)


async def test_photo_is_a_256px_webp_without_metadata(server: Server) -> None:
    """A JPEG with GPS EXIF comes back as a 256x256 WebP with no EXIF, XMP or ICC, upright."""
    aino = await server.join("Aino")
    # orientation 6: the camera was turned; upright, the yellow half is on top
    status, body = await upload(server, aino, image("JPEG", (400, 300), gps=True, orientation=6),
                                "image/jpeg")
    assert status == 200, body
    url = body["person"]["photo"]
    assert url.startswith(f"/api/photos/{aino.id}.webp?v=")
    status, data, headers = await fetch(server, url)
    assert status == 200 and headers["Content-Type"] == "image/webp"
    assert "immutable" in headers["Cache-Control"] and "private" in headers["Cache-Control"]
    with Image.open(io.BytesIO(data)) as served:
        assert served.format == "WEBP" and served.size == (256, 256)
        assert not served.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(served.info)
        top, bottom = served.convert("RGB").getpixel((128, 10)), served.getpixel((128, 245))
    assert top[0] > 200 and top[2] < 100, top  # yellow on top: the orientation was applied
    assert bottom[2] > 100, bottom
    assert b"Marker-Camera" not in data and b"Exif" not in data


async def test_too_large_body_is_413_and_changes_nothing(server: Server) -> None:
    """A body above 5 MiB is 413 in the contract's shape; the person keeps no photo."""
    aino = await server.join("Aino")
    status, body = await upload(server, aino, b"\x89PNG" + b"\0" * photos.MAX_BYTES)
    assert status == 413 and body["error"]["code"] == "bad_request", body
    status, body = await upload(server, aino, image())
    assert status == 200
    first = body["person"]["photo"]

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for _ in range(photos.MAX_BYTES // 65536 + 2):
            yield b"x" * 65536

    status, body = await upload(server, aino, chunked(), "image/jpeg")
    assert status == 413 and body["error"]["code"] == "bad_request", body
    assert server.world().event("testfair").people[aino.id].wire()["photo"] == first


async def test_non_images_and_bombs_are_bad_request(server: Server) -> None:
    """Text, a truncated PNG, an empty body, a format not accepted and a decompression
    bomb (tiny file, huge declared size) are bad_request."""
    aino = await server.join("Aino")
    bmp = io.BytesIO()
    Image.new("RGB", (10, 10)).save(bmp, format="BMP")
    bomb = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(bomb, format="PNG")  # 60 MP, ~10 KB
    assert len(bomb.getvalue()) < 100_000
    for body in (b"hello, not an image", image()[:200], b"", bmp.getvalue(), bomb.getvalue()):
        status, reply = await upload(server, aino, body)
        assert status == 400 and reply["error"]["code"] == "bad_request", (body[:20], reply)
    assert server.world().event("testfair").people[aino.id].photo is None


async def test_others_hear_of_a_photo_and_its_removal(server: Server) -> None:
    """Uploading and removing a photo reaches others in presence; the welcome carries it;
    a removed photo is 404."""
    aino, bert = await server.connected("Aino"), await server.connected("Bert")
    status, body = await upload(server, aino, image())
    assert status == 200
    url = body["person"]["photo"]
    seen = await bert.seen.wait_for("presence", lambda m: any(
        p["id"] == aino.id and p.get("photo") == url for p in m["people"]))
    assert seen
    cai = await server.connected("Cai")
    welcome = await cai.welcome()
    assert {p["id"]: p["photo"] for p in welcome["people"]}[aino.id] == url
    # a new upload gets a new version: a new URL; the old one is no longer cached for good
    status, body = await upload(server, aino, image(colour="#a1324f"))
    assert body["person"]["photo"] != url
    _, _, headers = await fetch(server, url)
    assert headers["Cache-Control"] == "no-cache"
    async with server.http.delete(f"{server.url}/api/me/photo",
                                  headers={"Authorization": f"Bearer {aino.token}"}) as resp:
        assert resp.status == 200 and (await resp.json())["person"]["photo"] is None
    await bert.seen.wait_for("presence", lambda m: any(
        p["id"] == aino.id and p.get("photo") is None for p in m["people"]))
    status, _, _ = await fetch(server, body["person"]["photo"])
    assert status == 404


async def test_only_the_owner_changes_a_photo(server: Server) -> None:
    """No token, a wrong token: 401. There is no way to name another person's photo."""
    aino = await server.join("Aino")
    await upload(server, aino, image())
    async with server.http.put(f"{server.url}/api/me/photo", data=image(colour="#000")) as resp:
        assert resp.status == 401
    async with server.http.delete(f"{server.url}/api/me/photo",
                                  headers={"Authorization": "Bearer " + "x" * 40}) as resp:
        assert resp.status == 401
    async with server.http.put(f"{server.url}/api/photos/{aino.id}.webp",
                               data=image(colour="#000")) as resp:
        assert resp.status in (404, 405)
    assert server.world().event("testfair").people[aino.id].photo is not None


async def test_erased_persons_photo_is_gone_from_url_and_files(
        server: Server, tmp_path: Path) -> None:
    """After DELETE /api/me the photo is 404 and its bytes are in neither the .db nor -wal."""
    aino = await server.join("Aino")
    status, body = await upload(server, aino, image("JPEG", gps=True), "image/jpeg")
    assert status == 200
    _, webp, _ = await fetch(server, body["person"]["photo"])
    marker = webp[-64:]  # the end of the encoded picture: only in this photo's bytes
    assert marker in file_bytes(tmp_path / "kohtaamo.db"), "never written: proves nothing"
    async with server.http.delete(f"{server.url}/api/me",
                                  headers={"Authorization": f"Bearer {aino.token}"}) as resp:
        assert resp.status == 204
    status, _, _ = await fetch(server, body["person"]["photo"])
    assert status == 404
    assert marker not in file_bytes(tmp_path / "kohtaamo.db")


async def test_photo_survives_a_restart(tmp_path: Path, config_path: Path) -> None:
    """The photo and its version are loaded with the person after a restart."""
    config = load(config_path, database=tmp_path / "kohtaamo.db")
    async with running(config) as first:
        aino = await first.join("Aino")
        _, body = await upload(first, aino, image())
    async with running(config) as again:
        person = again.world().event("testfair").people[aino.id]
        assert person.wire()["photo"] == body["person"]["photo"]
        status, _, _ = await fetch(again, body["person"]["photo"])
        assert status == 200
