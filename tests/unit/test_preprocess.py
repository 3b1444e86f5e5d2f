"""nn_impl.preprocess.to_mnist: drawings of any size, colour and placement become MNIST-like 28×28 digits.

The synthetic tests pin the geometry (bounding box, 20×20 fit, centre of mass at pixel 14) and the colour
handling. The last tests prove it on data: real MNIST test digits pasted at random places and sizes into a large
canvas and preprocessed back are recognised as well as the untouched digits, by a model trained here.
"""

import numpy as np
import pytest

from nn_impl import preprocess
from nn_impl.preprocess import EmptyDrawingError, to_mnist
from _support import skip_or_fail


def ring(size=100, thickness=12):
    """A white-on-black '0': an ellipse ring, taller than wide, of shape (size, size) uint8."""
    rows, cols = np.mgrid[:size, :size]
    r = np.hypot((rows - size / 2) / (size * 0.45), (cols - size / 2) / (size * 0.3))
    return np.where((r <= 1) & (r >= 1 - thickness / (size * 0.3)), 255, 0).astype(np.uint8)


def seven(size=60):
    """A white-on-black '7' (top bar and a diagonal), lopsided so its centre of mass is off its box's centre."""
    image = np.zeros((size, size), np.uint8)
    image[5:12, 10:50] = 255
    for row in range(12, 55):
        col = 48 - (row - 12) * 30 // 43
        image[row, col - 3 : col + 4] = 255
    return image


def paste(canvas_shape, drawing, top, left, background=0):
    canvas = np.full(canvas_shape, background, dtype=np.uint8)
    canvas[top : top + drawing.shape[0], left : left + drawing.shape[1]] = drawing
    return canvas


def centre_of_mass(image):
    rows, cols = np.mgrid[: image.shape[0], : image.shape[1]]
    return (rows * image).sum() / image.sum(), (cols * image).sum() / image.sum()


def ink_box(image):
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


# --------------------------------------------------------------------------------------------- geometry


def test_output_is_28_by_28_float32_up_to_255():
    out = to_mnist(paste((280, 280), seven(), 30, 150))
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() == 0 and out.max() == pytest.approx(255)


def test_fits_a_20_pixel_box_keeping_the_aspect_ratio():
    out = to_mnist(paste((300, 300), ring(), 10, 20))  # the ring is 0.9 tall for 0.6 wide
    height, width = ink_box(out > 0)
    assert height == 20
    assert width == pytest.approx(20 * 0.6 / 0.9, abs=1.5)


def test_centre_of_mass_lands_on_pixel_14():
    for drawing in (seven(), ring(), seven()[:, ::-1].copy()):
        com_row, com_col = centre_of_mass(to_mnist(paste((200, 240), drawing, 7, 100)))
        assert abs(com_row - 14) <= 0.5 and abs(com_col - 14) <= 0.5


def test_position_in_the_canvas_does_not_matter():
    outputs = [to_mnist(paste((280, 280), seven(), top, left)) for top, left in [(0, 0), (100, 37), (220, 220)]]
    for out in outputs[1:]:
        np.testing.assert_array_equal(out, outputs[0])


def test_scale_of_the_drawing_barely_matters():
    small = to_mnist(paste((400, 400), seven(), 20, 20))
    large = to_mnist(paste((400, 400), np.kron(seven(), np.ones((5, 5), np.uint8)), 50, 50))
    assert np.abs(small - large).mean() < 2.0  # of 255


def test_an_mnist_like_digit_comes_back_unchanged():
    # already 20 px tall and centred by mass: preprocessing must be the identity, except that edge pixels
    # fainter than the noise floor are dropped as background
    digit = to_mnist(paste((280, 280), seven(), 50, 60))
    again = to_mnist(digit)
    assert np.abs(again - digit).max() <= preprocess.NOISE_FLOOR * 255
    assert np.abs(again - digit).mean() < 0.1


def test_area_weights_average_and_preserve_mass():
    weights = preprocess.area_weights(6, 3)
    np.testing.assert_allclose(weights.sum(axis=1), 1)
    np.testing.assert_allclose(weights @ np.array([0, 2, 4, 6, 8, 10.0]), [1, 5, 9])
    non_integer = preprocess.area_weights(7, 3)  # spans of 7/3 pixels share the cut pixels
    np.testing.assert_allclose(non_integer.sum(axis=1), 1)
    np.testing.assert_allclose(non_integer.sum(axis=0) * 7 / 3, 1)  # every input pixel is used exactly once


def test_strokes_stay_anti_aliased():
    out = to_mnist(paste((280, 280), seven(), 40, 40))
    grey = (out > 0) & (out < 255)
    assert grey.sum() >= 20  # soft edges, not a binary image


# --------------------------------------------------------------------------------------------- colours


def test_dark_ink_on_light_paper_equals_light_ink_on_dark():
    drawing = paste((200, 200), seven(), 60, 60)
    np.testing.assert_allclose(to_mnist(255 - drawing), to_mnist(drawing), atol=1e-3)


def test_rgb_is_read_as_grey():
    drawing = paste((200, 200), seven(), 60, 60)
    rgb = np.repeat((255 - drawing)[:, :, None], 3, axis=2)  # black ink on white, as a photo would be
    np.testing.assert_allclose(to_mnist(rgb), to_mnist(drawing), atol=1e-3)


def test_rgba_with_transparent_background_any_ink_colour():
    drawing = paste((200, 200), seven(), 60, 60)
    expected = to_mnist(drawing)
    for colour in ([0, 0, 0], [255, 255, 255], [200, 30, 30]):
        rgba = np.zeros((200, 200, 4), np.uint8)  # a canvas cleared to transparent black
        rgba[:, :, :3] = colour
        rgba[:, :, 3] = drawing  # ink coverage in the alpha channel, as the canvas anti-aliases
        np.testing.assert_allclose(to_mnist(rgba), expected, atol=1e-3)


def test_rgba_transparent_pixels_on_an_opaque_page_are_background():
    drawing = paste((200, 200), seven(), 60, 60)
    rgba = np.full((200, 200, 4), 255, np.uint8)  # white page, black ink
    rgba[:, :, :3] = (255 - drawing)[:, :, None]
    rgba[150:190, 10:190, 3] = 0  # a transparent hole (its colour is black, yet it is no ink)
    rgba[150:190, 10:190, :3] = 0
    np.testing.assert_allclose(to_mnist(rgba), to_mnist(drawing), atol=1e-3)


def test_floats_in_unit_range_and_uint8_agree():
    drawing = paste((120, 120), seven(), 20, 30)
    np.testing.assert_allclose(to_mnist(drawing / 255.0), to_mnist(drawing), atol=1e-3)
    np.testing.assert_allclose(to_mnist(drawing.astype(np.float32)), to_mnist(drawing), atol=1e-3)
    np.testing.assert_allclose(to_mnist(drawing > 0), to_mnist(np.where(drawing > 0, 255, 0)), atol=1e-3)


def test_faint_pen_is_stretched_to_full_ink():
    drawing = paste((120, 120), seven(), 20, 30)
    np.testing.assert_allclose(to_mnist(drawing // 4), to_mnist(drawing), atol=0.5)


def test_uneven_lighting_is_not_ink():
    rows, cols = np.mgrid[:200, :300]
    paper = 240 - 90 * cols / 300 - 20 * (rows / 200) ** 2  # the right side is darker than a pencil line's edge
    drawing = paste((200, 300), seven(), 70, 120)
    photo = np.clip(paper - 0.5 * drawing, 0, 255)
    out = to_mnist(photo)
    clean = to_mnist(drawing)
    assert ink_box(out > 0) == ink_box(clean > 0)
    assert np.abs(out - clean).mean() < 3


def test_a_blank_noisy_photo_is_empty():
    rng = np.random.default_rng(0)
    rows, cols = np.mgrid[:240, :320]
    paper = 220 - 60 * cols / 320 + rng.normal(0, 5, (240, 320))
    with pytest.raises(EmptyDrawingError):
        to_mnist(np.clip(paper, 0, 255).astype(np.uint8))


def test_a_stroke_running_off_the_edge_does_not_shift_the_background():
    drawing = paste((200, 200), seven(), 60, 60)
    drawing[100:104, 150:] = 255  # a stroke reaching the border
    out = to_mnist(255 - drawing)
    np.testing.assert_allclose(out, to_mnist(drawing), atol=1e-3)


def test_light_noise_on_the_background_is_ignored():
    rng = np.random.default_rng(0)
    drawing = paste((200, 200), seven(), 100, 100).astype(np.float64)
    noisy = np.clip(drawing + rng.uniform(0, 8, drawing.shape), 0, 255)  # 3 % noise everywhere
    np.testing.assert_allclose(to_mnist(noisy), to_mnist(drawing), atol=12)


# --------------------------------------------------------------------------------------------- when the border lies


def framed(image, thickness=3, level=40):
    """``image`` with a frame of ``level`` drawn over its outermost ``thickness`` pixels (a screenshot's edge)."""
    out = image.copy()
    out[:thickness] = out[-thickness:] = level
    out[:, :thickness] = out[:, -thickness:] = level
    return out


def test_a_thin_frame_is_not_the_background():
    page = 255 - paste((120, 100), seven(), 30, 20)  # dark ink on white paper
    np.testing.assert_allclose(to_mnist(framed(page)), to_mnist(page), atol=1e-3)
    np.testing.assert_allclose(to_mnist(framed(255 - page, level=200)), to_mnist(page), atol=1e-3)  # inverted


def test_a_tight_crop_with_ink_touching_every_edge():
    digit = seven()
    rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
    tight = digit[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    reference = to_mnist(np.pad(tight, 10))
    np.testing.assert_allclose(to_mnist(tight), reference, atol=1e-3)
    np.testing.assert_allclose(to_mnist(255 - tight), reference, atol=1e-3)
    rng = np.random.default_rng(0)
    on_paper = np.clip(225 - 0.7 * tight + rng.normal(0, 5, tight.shape), 0, 255)  # grainy paper, pencil
    assert np.abs(to_mnist(on_paper) - reference).mean() < 6


@pytest.fixture(scope="module")
def handwritten_8x8():
    """scikit-learn's 1,797 handwritten digits (8×8, collected apart from MNIST), scaled to 0..255 and each
    cropped to its ink: the tight crops a person gets by cutting a digit out of a scan."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        skip_or_fail("scikit-learn is not installed (requirements-dev.txt pins it)")
    images = np.rint(load_digits().images * (255 / 16)).astype(np.uint8)
    crops = []
    for image in images:
        rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
        crops.append(image[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])
    return crops


@pytest.mark.native_only
@pytest.mark.parametrize("look, max_blank, min_alike", [
    ("as cut out", 0.01, 0.93), ("inverted", 0.01, 0.95), ("on grainy paper", 0.02, 0.9), ("framed", 0, 1.0),
])
def test_tight_crops_of_real_handwriting_read_like_the_same_digits_with_a_margin(
        handwritten_8x8, look, max_blank, min_alike):
    rng = np.random.default_rng(0)
    blank, alike = 0, 0
    for crop in handwritten_8x8:
        reference = to_mnist(np.pad(crop, 4))  # with a margin of background: the border tells the truth
        if look == "inverted":
            crop = 255 - crop
        elif look == "on grainy paper":
            crop = np.clip(230 - 0.8 * crop + rng.normal(0, 6, crop.shape), 0, 255)
        elif look == "framed":  # scanned large on white paper, a dark frame around it
            page = np.pad(np.kron(255 - crop, np.ones((6, 6), np.uint8)), 16, constant_values=255)
            reference, crop = to_mnist(page), framed(page, thickness=2, level=30)
        try:
            out = to_mnist(crop)
        except EmptyDrawingError:
            blank += 1
            continue
        alike += np.abs(out - reference).mean() < 20  # of 255: the same strokes, give or take their edges
    n = len(handwritten_8x8)
    print(f"{look}: {blank} of {n} read as blank, {alike} like the digit with a margin")
    assert blank <= max_blank * n
    assert alike >= min_alike * n


# --------------------------------------------------------------------------------------------- sizes


def test_a_tiny_drawing_is_scaled_up():
    tiny = np.zeros((5, 3), np.uint8)
    tiny[:, 1] = 255  # a '1', three pixels wide with its margins
    out = to_mnist(paste((280, 280), tiny, 200, 3))
    assert ink_box(out > 0)[0] == 20
    assert abs(centre_of_mass(out)[1] - 14) <= 0.5


def test_a_single_dot_and_a_single_pixel_image():
    dot = paste((50, 50), np.full((1, 1), 255, np.uint8), 10, 10)
    out = to_mnist(dot)
    assert out.max() == pytest.approx(255) and (out > 0).sum() == 400  # the dot fills the 20×20 box
    with pytest.raises(EmptyDrawingError):
        to_mnist(np.full((1, 1), 255, np.uint8))  # one pixel is its own border: it is the background


def test_a_huge_canvas():
    big = paste((2000, 2000), np.kron(seven(), np.ones((25, 25), np.uint8)), 200, 300)
    np.testing.assert_allclose(to_mnist(big), to_mnist(paste((280, 280), seven(), 10, 10)), atol=3)


def test_a_wide_drawing_touching_the_canvas_edge():
    bar = np.zeros((100, 100), np.uint8)
    bar[45:55, 50:] = 255  # a dash running off the right edge
    out = to_mnist(bar)
    assert ink_box(out > 0)[1] == 20


# --------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "blank",
    [np.zeros((50, 50)), np.full((50, 50), 255, np.uint8), np.full((30, 40, 3), 128, np.uint8),
     np.zeros((30, 30, 4), np.uint8), np.random.default_rng(0).integers(0, 15, (40, 40))],
    ids=["black", "white", "grey-rgb", "transparent", "faint-noise"],
)
def test_no_ink_is_an_empty_drawing(blank):
    with pytest.raises(EmptyDrawingError, match="no ink"):
        to_mnist(blank)


def test_empty_drawing_error_is_a_value_error():
    assert issubclass(EmptyDrawingError, ValueError)


@pytest.mark.parametrize(
    "image, message",
    [
        (np.zeros(100), "shape"),
        (np.zeros((10, 10, 2)), "shape"),
        (np.zeros((2, 10, 10, 3)), "shape"),
        (np.zeros((0, 10)), "empty"),
        (np.array([["a", "b"], ["c", "d"]]), "numbers"),
        (np.full((10, 10), np.nan), "NaN"),
        (np.full((10, 10), np.inf), "NaN or infinite"),
        (np.full((10, 10), -1.0), r"\[0, 255\]"),
        (np.full((10, 10), 300), r"\[0, 255\]"),
    ],
    ids=["1-d", "2-channels", "4-d", "zero-rows", "strings", "nan", "inf", "negative", "above-255"],
)
def test_bad_input_is_refused(image, message):
    with pytest.raises(ValueError, match=message):
        to_mnist(image)


def test_too_large_is_refused(monkeypatch):
    monkeypatch.setattr(preprocess, "MAX_PIXELS", 99)
    with pytest.raises(ValueError, match="too large"):
        to_mnist(np.zeros((10, 10)))


def test_input_is_not_modified():
    drawing = paste((100, 100), seven(), 10, 10).astype(np.float64)
    before = drawing.copy()
    to_mnist(drawing)
    np.testing.assert_array_equal(drawing, before)


# --------------------------------------------------------------------------------------------- proof on MNIST

CANVAS = 280


def resize_bilinear(image, height, width):
    """Bilinear resize written independently of the module under test (separable linear interpolation)."""

    def axis_weights(n_in, n_out):
        # sample positions of the output pixel centres, in input pixel coordinates
        position = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, n_in - 1)
        weights = np.zeros((n_out, n_in))
        weights[np.arange(n_out), low] += 1 - (position - low)
        weights[np.arange(n_out), high] += position - low
        return weights

    return axis_weights(image.shape[0], height) @ image @ axis_weights(image.shape[1], width).T


def pasted_canvases(digits, rng, scale_range):
    """Each 28×28 digit resized by a random factor and pasted at a random place into a blank 280×280 canvas."""
    canvases = np.zeros((len(digits), CANVAS, CANVAS), np.uint8)
    for i, digit in enumerate(digits):
        side = int(round(28 * rng.uniform(*scale_range)))
        big = np.clip(np.rint(resize_bilinear(digit.astype(np.float64), side, side)), 0, 255)
        top, left = rng.integers(0, CANVAS - side + 1, size=2)
        canvases[i, top : top + side, left : left + side] = big
    return canvases


def photographed(canvases, rng):
    """Pencil on unevenly lit paper: bright paper darkening by up to 80 levels across the sheet (more than the
    faintest strokes' contrast), ink at 60 % strength, and Gaussian grain of σ = 4 levels."""
    rows, cols = np.mgrid[:CANVAS, :CANVAS] / CANVAS
    photos = np.empty(canvases.shape, np.uint8)
    for i, ink in enumerate(canvases):
        slope_r, slope_c = rng.uniform(-40, 40, size=2)
        paper = 200 + slope_r * (rows - 0.5) + slope_c * (cols - 0.5) - 40 * ((rows - 0.5) ** 2 + (cols - 0.5) ** 2)
        photo = paper - 0.6 * ink + rng.normal(0, 4, ink.shape)
        photos[i] = np.clip(np.rint(photo), 0, 255)
    return photos


@pytest.fixture(scope="module")
def mnist_model():
    from nn_impl import data

    try:
        mnist = data.load_mnist()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    import nn_impl

    # shift-augmented, like the pre-trained model the page ships for drawn digits
    model = nn_impl.MLPClassifier(hidden_layer_sizes=(128, 64), epochs=3, shift=1, input_scaling="unit", random_state=0)
    model.fit(mnist["x_train"], mnist["y_train"])
    return model, mnist["x_test"][:3000], mnist["y_test"][:3000]


def _accuracy(model, images, labels):
    return float(np.mean(model.predict(images) == labels))


@pytest.mark.native_only
@pytest.mark.parametrize(
    "scale_range, colours, max_loss",
    [
        ((1.0, 9.0), "white-on-black", 0.01),
        ((1.0, 9.0), "black-on-white-rgb", 0.01),
        ((1.0, 9.0), "rgba-transparent", 0.01),
        ((3.0, 9.0), "photo", 0.01),
        ((0.7, 1.0), "white-on-black", 0.01),  # tiny: 20-28 px digits, smaller than MNIST's own 28×28 field
        ((8.0, 10.0), "white-on-black", 0.01),  # huge: the digit's box fills most of the canvas
    ],
    ids=["grey", "inverted-rgb", "rgba", "photo", "tiny", "huge"],
)
def test_pasted_mnist_digits_are_recognised_as_well_as_the_originals(mnist_model, scale_range, colours, max_loss):
    model, images, labels = mnist_model
    rng = np.random.default_rng(1)
    canvases = pasted_canvases(images, rng, scale_range)
    if colours == "black-on-white-rgb":
        canvases = np.repeat((255 - canvases)[..., None], 3, axis=-1)
    elif colours == "rgba-transparent":
        ink = canvases
        canvases = np.zeros(ink.shape + (4,), np.uint8)
        canvases[..., 3] = ink
    elif colours == "photo":
        canvases = photographed(canvases, rng)
    restored = np.stack([to_mnist(canvas) for canvas in canvases])
    original_accuracy = _accuracy(model, images, labels)
    restored_accuracy = _accuracy(model, restored, labels)
    print(f"{colours} scales {scale_range}: original {original_accuracy:.4f}, restored {restored_accuracy:.4f}")
    assert original_accuracy > 0.9  # the model is good enough for the comparison to mean something
    assert restored_accuracy >= original_accuracy - max_loss
