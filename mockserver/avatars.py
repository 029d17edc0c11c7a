"""Avatar images: the generated ones every player starts with, and checks on uploaded ones.

Uploads are identified by their bytes, never by the file name or the declared content type, and
then decoded in full by Pillow: a renamed text file or a truncated image is refused with a
message the user can act on.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

MAX_AVATAR_BYTES = 2 * 1024 * 1024
"""The largest avatar accepted (2 MiB)."""

ACCEPTED_FORMATS = {
    # Pillow format name: (media type, file extension)
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpeg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}


class AvatarError(ValueError):
    """An upload that is not an acceptable avatar; the message is meant for the user."""


@dataclass(frozen=True)
class Image:
    data: bytes
    media_type: str
    extension: str


def identicon(key: str, size: int = 96) -> Image:
    """A symmetric 5x5 pattern in one colour, derived from `key` alone (so reproducible)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    digest = hashlib.sha256(key.encode()).digest()
    colour = (64 + digest[0] % 160, 64 + digest[1] % 160, 64 + digest[2] % 160)
    cell = size // 6
    margin = (size - 5 * cell) // 2
    picture = PILImage.new("RGB", (size, size), (240, 240, 240))
    draw = ImageDraw.Draw(picture)
    for row in range(5):
        for column in range(3):
            if digest[3 + row * 3 + column] % 2:
                for x in {column, 4 - column}:
                    left, top = margin + x * cell, margin + row * cell
                    draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=colour)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=False)
    return Image(out.getvalue(), "image/png", "png")


def read_upload(data: bytes) -> Image:
    """The uploaded bytes as an avatar, or AvatarError saying what is wrong with them."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if not data:
        raise AvatarError("The avatar file is empty.")
    if len(data) > MAX_AVATAR_BYTES:
        raise AvatarError("The avatar is too large: at most 2 MiB is accepted.")
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            kind = picture.format or ""
            if kind not in ACCEPTED_FORMATS:
                raise AvatarError(
                    f"Avatars must be PNG, JPEG, GIF or WebP images, not {kind or 'this type'}."
                )
            picture.load()
    except AvatarError:
        raise
    except UnidentifiedImageError:
        raise AvatarError(
            "The avatar is not an image: use a PNG, JPEG, GIF or WebP file."
        ) from None
    except PILImage.DecompressionBombError:
        raise AvatarError("The avatar's dimensions are too large.") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise AvatarError(f"The avatar image is damaged and cannot be read ({error}).") from None
    media_type, extension = ACCEPTED_FORMATS[kind]
    return Image(data, media_type, extension)
