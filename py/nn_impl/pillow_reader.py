"""Image formats beyond PNG and PGM/PPM (JPEG, GIF, BMP, WebP, TIFF, ...) through Pillow, when it is installed.

Pillow is optional: the package's only dependency is NumPy, and PNG, PGM/PPM and ``.npy`` are read without it
(:mod:`nn_impl.images`). Without Pillow, the message says how to get it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import BinaryIO

import numpy as np

PILLOW_HINT = "pip install pillow"


def pillow_installed() -> bool:
    """Whether Pillow can be imported (never in the browser tab)."""
    return importlib.util.find_spec("PIL") is not None


def read_with_pillow(source: str | Path | BinaryIO, max_pixels: int, name: str | None = None) -> np.ndarray:
    """The image in ``source`` (a path or a binary file object) as uint8 (H, W) grey, (H, W, 3) RGB or
    (H, W, 4) RGBA (when it has transparency).

    Raises ``ValueError`` naming the file (``name``, else the path) when Pillow is missing, cannot read the
    file, or the image has more than ``max_pixels`` pixels (checked from the header, before decoding).
    """
    path = Path(name) if name is not None else Path(source) if isinstance(source, (str, Path)) else Path("image")
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        kind = path.suffix.lower() or "(no extension)"
        raise ValueError(f"{path}: {kind} images are read through Pillow, which is not installed: "
                         f"`{PILLOW_HINT}` (PNG, PGM/PPM and .npy need nothing more)") from None
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ValueError(f"{path}: {width}x{height} is larger than the {max_pixels}-pixel limit")
            image.seek(0)  # the first frame of an animation
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            grey = image.mode in ("1", "L", "LA", "I", "I;16", "F") and not has_alpha
            mode = "L" if grey else "RGBA" if has_alpha else "RGB"
            if image.mode in ("I", "I;16", "F"):
                # 16-bit and float greys: scale the image's own range to 0..255 rather than clip it
                values = np.asarray(image, dtype=np.float64)
                span = values.max() - values.min()
                return np.round((values - values.min()) * (255.0 / span if span else 0.0)).astype(np.uint8)
            return np.asarray(image.convert(mode), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{path}: not an image Pillow can read ({exc})") from None
