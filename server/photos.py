"""Profile photos: an uploaded image checked and re-encoded as a 256 px square WebP.

Nothing the person sent is kept: the image is decoded (only JPEG, PNG, WebP and
GIF, and only up to `MAX_PIXELS` as the header declares it, so a decompression
bomb is refused before it is decoded), turned upright by its EXIF orientation,
centre-cropped, scaled and copied into a fresh image with no metadata at all
(EXIF with its GPS position, XMP, ICC, comments), which is what gets encoded.

Decoding is CPU work: `Photos.process` runs it in a worker thread, at most
`concurrency` at a time, so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from rooms.errors import BadRequest

#: Largest upload, in bytes (a phone's full-size JPEG fits).
MAX_BYTES = 5 * 1024 * 1024
#: Largest image, in pixels as its header declares them (a 48 MP phone photo fits).
MAX_PIXELS = 50_000_000
#: The side of the stored square.
SIDE = 256
#: Formats opened at all: Pillow's other decoders are never reached.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

# Pillow warns (and only above twice its own limit raises) on huge images; a warning
# is a refusal here, whatever the process's warning filters say otherwise.
warnings.simplefilter("error", Image.DecompressionBombWarning)


def reencode(data: bytes) -> bytes:
    """The stored WebP for an uploaded image. Raises BadRequest for anything that is
    not a readable image of an accepted format and size."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise BadRequest("the image has too many pixels")
            # JPEG can decode at a fraction of its size: no need for all 48 MP.
            im.draft("RGB", (SIDE * 2, SIDE * 2))
            upright = ImageOps.exif_transpose(im)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                upright.mode == "P" and "transparency" in upright.info)
            mode = "RGBA" if has_alpha else "RGB"
            square = ImageOps.fit(upright.convert(mode), (SIDE, SIDE),
                                  Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    except BadRequest:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise BadRequest("the file is not an image this server reads (JPEG, PNG, WebP or GIF)"
                         " of at most 50 megapixels") from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
        raise BadRequest("the image could not be read") from None
    # A fresh image holds the pixels only: no info dict, so no metadata can follow.
    clean = Image.frombytes(mode, (SIDE, SIDE), square.tobytes())
    out = io.BytesIO()
    clean.save(out, format="WEBP", quality=82, method=4)
    return out.getvalue()


class Photos:
    """Re-encoding off the event loop, a bounded number at a time."""

    def __init__(self, concurrency: int = 2) -> None:
        self._slots = asyncio.Semaphore(concurrency)

    async def process(self, data: bytes) -> bytes:
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(None, reencode, data)
