"""Turn a drawing or a photo of a digit into an MNIST-like 28×28 image, the way MNIST itself was made.

MNIST's digits were normalised in three steps (LeCun, Cortes, Burges): the digit was cropped to its bounding box,
scaled to fit a 20×20 box keeping its aspect ratio (with anti-aliasing, so strokes have soft grey edges), and
placed in a 28×28 field so that its centre of mass sits at the centre. A network trained on MNIST expects exactly
that: a digit drawn small in a corner of a big canvas, fed as it is, looks like nothing it has seen.
:func:`to_mnist` repeats those steps on any image, white ink on black as in MNIST.

Before those steps comes one MNIST never needed (its scans were clean): finding the ink. Usually the border is
background: we subtract a smooth surface fitted to it (photos of paper are lit unevenly) and keep what stands out
from it by more than the background's own noise. But the border lies when a picture has a frame, or is cropped
so tightly that the ink touches its edges; so the border's answer is checked against the image's histogram,
whose tallest peak is the background of any picture of a digit (strokes cover a minority of the pixels), and
where the two disagree the histogram decides (and a frame along the edges is then cut off).

Everything is vectorised (it runs in the browser on every stroke): resizing is two small matrix products.
"""

import numpy as np

#: MNIST's geometry: the digit fits a FIT×FIT box inside a SIDE×SIDE field
SIDE = 28
FIT = 20
#: where MNIST's centres of mass sit, in pixel-index coordinates. Measured on the 10 000 test digits: mean
#: (13.99, 14.01), standard deviation 0.29 (MNIST shifted by whole pixels), so it is pixel 14, not 13.5.
CENTRE = 14.0
#: ink weaker than this fraction of the strongest ink is background (paper grain, JPEG noise, faint smudges)
NOISE_FLOOR = 0.05
#: an image whose strongest ink differs from the background by less than this fraction of full scale is empty
MIN_CONTRAST = 0.08
#: a canvas or a photo, not a poster: bigger images are refused rather than allowed to exhaust the tab's memory
MAX_PIXELS = 4096 * 4096
#: the border's background is trusted while it lies within this much (of full scale) of the histogram's peak:
#: unevenly lit paper spreads its brightness around the peak by up to about this much
BORDER_AGREES = 0.25
#: a frame: edge lines of the image more than this fraction inked, at most FRAME_SIDE of the side deep
FRAME_INK = 0.6
FRAME_SIDE = 0.1
FRAME_MIN_SIDE = 20


class EmptyDrawingError(ValueError):
    """The image has no ink: nothing stands out from its background."""


def to_mnist(image):
    """A drawing -> an MNIST-like digit of shape (28, 28), float32 in [0, 255], white ink on black.

    ``image``: (H, W) grey, (H, W, 3) RGB or (H, W, 4) RGBA, any size, pixel values on the 0..255 scale (integers,
    or floats; floats whose maximum is at most 1 are read as 0..1). Ink may be dark on light or light on dark,
    decided by the border, which is taken to be background: a smooth surface fitted to it is subtracted, so an
    unevenly lit photo of paper works too; where the border disagrees with the histogram's peak (a frame, a tight
    crop), the peak is the background. In RGBA, transparent pixels are background (a canvas cleared to
    transparent and drawn on in any colour works). The strongest ink becomes 255.
    Raises ``EmptyDrawingError`` (a ``ValueError``) when there is no ink, ``ValueError`` for bad shapes or values.
    """
    ink = ink_map(image)
    top, bottom, left, right = _bounding_box(ink)
    digit = _fit_box(ink[top:bottom, left:right], FIT)
    field = _place_by_centre_of_mass(digit, SIDE, CENTRE)
    return (field * (255 / field.max())).astype(np.float32)


def ink_map(image):
    """How much ink each pixel holds: (H, W) float64 in [0, 1], 1 for the strongest ink, 0 for background.

    Validates ``image`` (see :func:`to_mnist`) and raises ``EmptyDrawingError`` when nothing stands out.
    """
    grey, alpha = _grey_and_alpha(image)
    if alpha is not None:
        if np.median(_border(alpha)) < 0.5:
            # transparent background: whatever is painted is ink, whatever its colour
            return _stretch(alpha, noise=0.0)
        # opaque background: lay the image on its own background colour, so see-through pixels vanish
        background = np.median(_border(grey)[_border(alpha) >= 0.5])
        grey = alpha * grey + (1 - alpha) * background
    peak, peak_noise, dark_ink = _histogram_background(grey)
    background, noise = _background(grey)
    # The border is believed when its level is near the peak's and it is hardly noisier: ink along the border
    # (a tight crop) makes the fit to it noisy, and the ink would then hide under that "noise".
    if abs(np.median(background) - peak) <= BORDER_AGREES and noise <= 2 * peak_noise + 2 / 255:
        # One-sided: on white paper only what is darker than the paper is ink (a bright reflection is not).
        # (The border's side, not the histogram's: on a lighting gradient paper lies on both sides of the peak.)
        ink = background - grey if np.median(_border(grey)) >= 0.5 else grey - background
        return _stretch(np.clip(ink, 0, None), noise)
    # The border is not the background (a frame, or ink touching the edges): the histogram's peak is.
    ink = np.clip(peak - grey if dark_ink else grey - peak, 0, None)
    return _without_frame(_stretch(ink, peak_noise))


def _histogram_background(grey):
    """(background level, its noise, dark_ink) from the brightness histogram of a (H, W) plane in [0, 1].

    The background is the histogram's tallest peak (up to 64 bins, lightly smoothed), refined to the median of the
    pixels near it; its noise is their robust standard deviation. The ink is on the side where more brightness
    lies far from the background: darker (True) or lighter (False).

    A bold digit cropped tightly can hold more ink than paper: then the tallest peak is the ink. So when what
    lies far from the peak covers most of the picture, and its own peak is nearer to what most of the border
    shows, that one is the background (a frame is only a few lines: it never covers most of a picture).
    """
    peak, noise, dark_ink, far = _peak(grey)
    if far.mean() > 0.5:
        other, other_noise, _, _ = _peak(grey[far])
        border = np.median(_border(grey))
        if abs(other - border) < abs(peak - border):
            return other, other_noise, not dark_ink
    return peak, noise, dark_ink


def _peak(values):
    """(level, noise, dark_ink, far) of the tallest peak of ``values``' histogram; ``far``: the pixels on the
    ink's side that stand out from it (a boolean array like ``values``)."""
    # 64 levels, fewer for a picture of a few dozen pixels (a peak must hold more than one or two of them)
    bins = int(np.clip(2 * np.sqrt(values.size), 16, 64))
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    smooth = np.convolve(counts, [1, 2, 1], mode="same")
    centre = (edges[np.argmax(smooth)] + edges[np.argmax(smooth) + 1]) / 2
    near = values[np.abs(values - centre) <= 1 / bins]
    peak = float(np.median(near))
    noise = 1.4826 * float(np.median(np.abs(near - peak)))
    threshold = max(MIN_CONTRAST, 8 * noise)
    above = np.clip(values - peak - threshold, 0, None).sum()
    below = np.clip(peak - values - threshold, 0, None).sum()
    dark_ink = bool(below > above if below != above else peak >= 0.5)
    far = values < peak - threshold if dark_ink else values > peak + threshold
    return peak, noise, dark_ink, far


def _without_frame(ink):
    """``ink`` (H, W) with a frame along its edges set to background.

    A frame is a run of edge rows (or columns), at most FRAME_SIDE of the side deep, each more than FRAME_INK
    inked, followed by a line with at most half as much ink: the gap between a frame and what it frames. A
    digit touching the edge (a '1' cropped tightly is inked all along its rows) is followed by more ink, not a gap.
    """
    ink = ink.copy()
    for plane in (ink, ink.T):  # rows, then columns (a view: set in place)
        if len(plane) < FRAME_MIN_SIDE:
            continue  # a frame is drawn around a picture, not around a few pixels
        for lines in (plane, plane[::-1]):  # from the top (left), then from the bottom (right)
            inked = (lines > 0).mean(axis=1)
            depth = 0
            limit = max(1, int(FRAME_SIDE * len(lines)))
            while depth < limit and depth < len(lines) - 1 and inked[depth] > FRAME_INK:
                depth += 1
            if 0 < depth < len(lines) and inked[depth] <= inked[depth - 1] / 2:
                lines[:depth] = 0
    if not ink.any():
        raise EmptyDrawingError("no ink found: the image holds only a frame")
    return ink


def _background(grey):
    """The background's brightness under every pixel, (H, W), and its noise level (a standard deviation).

    A canvas has one background value, but a photo of paper is lit unevenly: one side can be darker than a pencil
    stroke on the other, and a single background value would turn that shade into 'ink'. So we fit a smooth
    surface (a quadratic in row and column) to the border pixels, which are background in any sensible drawing,
    by least squares, twice: the second fit ignores border pixels the first fit did not explain (a stroke that
    runs off the edge). On a uniform background the surface is exactly that one value.
    """
    height, width = grey.shape
    rows = np.linspace(-1, 1, height)
    cols = np.linspace(-1, 1, width)
    border_rows = np.concatenate([np.full(width, rows[0]), np.full(width, rows[-1]), rows, rows])
    border_cols = np.concatenate([cols, cols, np.full(height, cols[0]), np.full(height, cols[-1])])
    values = _border(grey)

    def terms(r, c):
        return [np.ones_like(r * c), r, c, r * r, c * c, r * c]

    design = np.stack(terms(border_rows, border_cols), axis=1)  # (n_border, 6)
    keep = np.ones(len(values), dtype=bool)
    for _ in range(2):
        coef = np.linalg.lstsq(design[keep], values[keep], rcond=None)[0]
        residual = values - design @ coef
        # 1.4826 * median absolute deviation: the standard deviation of Gaussian noise, unmoved by a few strokes
        noise = 1.4826 * np.median(np.abs(residual[keep]))
        keep = np.abs(residual) <= max(3 * noise, 1 / 255)
    surface = sum(k * t for k, t in zip(coef, terms(rows[:, None], cols[None, :])))
    return surface, noise


def _grey_and_alpha(image):
    """Validate ``image`` and return (grey (H, W) in [0, 1], alpha (H, W) in [0, 1] or None)."""
    image = np.asarray(image)
    if image.dtype.kind not in "buif":
        raise ValueError(f"image must hold numbers, got dtype {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise ValueError(f"image must have shape (H, W), (H, W, 3) or (H, W, 4); got {image.shape}")
    height, width = image.shape[:2]
    if height < 1 or width < 1:
        raise ValueError(f"image is empty (shape {image.shape})")
    if height * width > MAX_PIXELS:
        raise ValueError(f"image is too large ({height}×{width}); scale it below {MAX_PIXELS} pixels first")
    values = image.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("image contains NaN or infinite values")
    lowest, highest = values.min(), values.max()
    if lowest < 0 or highest > 255:
        raise ValueError(f"image values must lie in [0, 255] (or [0, 1] for floats); found {lowest:g} .. {highest:g}")
    full_scale = 1.0 if image.dtype.kind == "b" or (image.dtype.kind == "f" and highest <= 1) else 255.0
    values /= full_scale
    if values.ndim == 2:
        return values, None
    # ITU-R BT.601 luma, the usual grey of an RGB picture
    grey = values[:, :, 0] * 0.299 + values[:, :, 1] * 0.587 + values[:, :, 2] * 0.114
    alpha = values[:, :, 3] if values.shape[2] == 4 else None
    return grey, alpha


def _border(plane):
    """The outermost pixels of a (H, W) plane, as one flat array."""
    return np.concatenate([plane[0], plane[-1], plane[:, 0], plane[:, -1]])


def _stretch(ink, noise):
    """Scale ink so the strongest is 1 and zero out what is indistinguishable from background; refuse blanks.

    ``noise`` is the background's standard deviation: ink must rise well above it (8σ: a blank photo's brightest
    speck of grain is ~5σ), and pixels within 4σ of the background are background.
    """
    strongest = ink.max()
    if strongest < max(MIN_CONTRAST, 8 * noise):
        raise EmptyDrawingError("no ink found: the image is blank (nothing stands out from its background)")
    ink = ink / strongest
    ink[ink < max(NOISE_FLOOR, 4 * noise / strongest)] = 0
    return ink


def _bounding_box(ink):
    """(top, bottom, left, right), half-open, of the strokes.

    A pixel with ink but no inked neighbour (up, down, left, right) is a speck of grain or a stray click, not a
    stroke: it does not stretch the box (if there are only such specks, e.g. a single dot, they count).
    """
    present = ink > 0
    neighbour = np.zeros_like(present)
    neighbour[1:] |= present[:-1]
    neighbour[:-1] |= present[1:]
    neighbour[:, 1:] |= present[:, :-1]
    neighbour[:, :-1] |= present[:, 1:]
    strokes = present & neighbour
    if not strokes.any():
        strokes = present
    rows = np.flatnonzero(strokes.any(axis=1))
    cols = np.flatnonzero(strokes.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def area_weights(n_in, n_out):
    """Resampling matrix of shape (n_out, n_in): output pixel j averages the input pixels its span covers.

    Output pixel j spans [j, j+1) · n_in/n_out in input coordinates; each input pixel i contributes the length of
    its overlap with that span, divided by the span's length. Rows sum to 1. Shrinking averages (anti-aliased
    strokes, like MNIST's); growing repeats pixels and blends the ones cut by a boundary.
    """
    edges = np.arange(n_out + 1) * (n_in / n_out)
    starts, ends = edges[:-1, None], edges[1:, None]  # (n_out, 1)
    pixel = np.arange(n_in)[None, :]  # (1, n_in)
    overlap = np.clip(np.minimum(pixel + 1, ends) - np.maximum(pixel, starts), 0, None)
    return overlap / (n_in / n_out)


def _fit_box(patch, size):
    """Resize a (h, w) patch so its longer side is ``size``, keeping the aspect ratio (area averaging)."""
    height, width = patch.shape
    scale = size / max(height, width)
    new_height = max(1, int(round(height * scale)))
    new_width = max(1, int(round(width * scale)))
    # separable: rows then columns, (new_h, h) @ (h, w) @ (w, new_w)
    return area_weights(height, new_height) @ patch @ area_weights(width, new_width).T


def _place_by_centre_of_mass(digit, side, centre):
    """Paste ``digit`` (h, w) into a (side, side) field, shifted by whole pixels so its centre of mass is nearest
    ``centre``; parts pushed past the edge are cut (as MNIST's own placement would)."""
    height, width = digit.shape
    mass = digit.sum()
    com_row = (digit.sum(axis=1) @ np.arange(height)) / mass
    com_col = (digit.sum(axis=0) @ np.arange(width)) / mass
    top = int(np.rint(centre - com_row))
    left = int(np.rint(centre - com_col))
    field = np.zeros((side, side))
    # the overlap of the digit's rectangle with the field, in field and in digit coordinates
    f_top, f_left = max(top, 0), max(left, 0)
    f_bottom, f_right = min(top + height, side), min(left + width, side)
    field[f_top:f_bottom, f_left:f_right] = digit[f_top - top : f_bottom - top, f_left - left : f_right - left]
    return field
