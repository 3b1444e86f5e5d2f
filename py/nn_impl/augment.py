"""Data augmentation: random translations of square images by whole pixels.

Hand-drawn digits are never centred the way MNIST's are; training on copies shifted by up to ±k pixels
teaches the first layer that a stroke two pixels to the left is the same stroke.
"""

import numpy as np


def random_shifts(X, max_shift, rng, background=0.0, out=None):
    """Shift each image of a batch by its own random offset of up to ±``max_shift`` pixels in x and in y.

    X: (batch, side*side) flattened square images. Returns an array of the same shape (``out`` when
    given). Pixels shifted in from outside take the value ``background`` (what a blank pixel became
    after input scaling). Vectorised: one gather for the whole batch, no loop over images.
    """
    batch, n_pixels = X.shape
    side = int(round(np.sqrt(n_pixels)))
    if side * side != n_pixels:
        raise ValueError(f"shift: needs square images, but a sample has {n_pixels} features")
    k = int(max_shift)
    if out is None:
        out = np.empty_like(X)
    if k == 0:
        np.copyto(out, X)
        return out
    padded = np.full((batch, side + 2 * k, side + 2 * k), background, dtype=X.dtype)
    padded[:, k:k + side, k:k + side] = X.reshape(batch, side, side)
    dy = rng.integers(-k, k + 1, size=batch)
    dx = rng.integers(-k, k + 1, size=batch)
    # The shifted image at (r, c) reads the original at (r - dy, c - dx), i.e. padded at (r - dy + k, c - dx + k).
    grid = np.arange(side)
    rows = (k - dy)[:, None, None] + grid[None, :, None]
    cols = (k - dx)[:, None, None] + grid[None, None, :]
    out.reshape(batch, side, side)[...] = padded[np.arange(batch)[:, None, None], rows, cols]
    return out
