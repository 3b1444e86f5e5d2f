"""Digits drawn as a person would: pen strokes moved with Playwright's real mouse (pointer events), not pixels.

Each digit is a list of strokes; a stroke is a list of (x, y) points in a unit box (0..1, y down). Arcs are
written as ellipse segments. ``draw_digit`` scales the box to any place and size on the canvas and moves the mouse
along the strokes in small steps, pressing the button for each stroke.
"""

import math


def _arc(cx, cy, rx, ry, start_deg, end_deg, n=24):
    """Points on an ellipse from start_deg to end_deg (0° = right, 90° = down, as on screen)."""
    return [
        (cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
        for a in (start_deg + (end_deg - start_deg) * i / n for i in range(n + 1))
    ]


DIGITS = {
    0: [_arc(0.5, 0.5, 0.28, 0.42, -90, 270, 36)],
    1: [[(0.45, 0.1), (0.55, 0.05), (0.55, 0.95)]],
    2: [_arc(0.5, 0.3, 0.28, 0.22, 180, 360, 16) + [(0.76, 0.42), (0.2, 0.92), (0.85, 0.92)]],
    3: [_arc(0.48, 0.28, 0.28, 0.22, -160, 90, 20) + _arc(0.48, 0.72, 0.3, 0.22, -90, 160, 20)[1:]],
    4: [[(0.55, 0.05), (0.15, 0.62), (0.88, 0.62)], [(0.65, 0.3), (0.65, 0.97)]],
    5: [[(0.8, 0.08), (0.3, 0.08), (0.25, 0.45)] + _arc(0.5, 0.68, 0.3, 0.26, -130, 150, 20)],
    6: [[(0.7, 0.05)] + _arc(0.7, 0.6, 0.45, 0.55, -90, -180, 10)[1:] + _arc(0.5, 0.72, 0.25, 0.22, 180, 540, 30)[1:]],
    7: [[(0.15, 0.1), (0.85, 0.1), (0.4, 0.95)]],
    8: [_arc(0.5, 0.28, 0.22, 0.2, 90, 450, 28), _arc(0.5, 0.71, 0.27, 0.23, -90, 270, 30)],
    9: [_arc(0.48, 0.3, 0.25, 0.22, 0, 360, 30), [(0.73, 0.3), (0.7, 0.95)]],
}


def draw_strokes(page, canvas, strokes, left=0.15, top=0.15, size=0.7, step_px=4.0):
    """Draw ``strokes`` (unit-box points) on ``canvas`` (a Locator) in the box at (left, top) of side ``size``.

    left, top and size are fractions of the canvas. The mouse moves every ``step_px`` screen pixels along each
    stroke, with the button held, as a hand would; the page sees ordinary pointerdown/move/up events.
    """
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()

    def screen(p):
        return (box["x"] + (left + p[0] * size) * box["width"], box["y"] + (top + p[1] * size) * box["height"])

    for stroke in strokes:
        points = [screen(p) for p in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for (xa, ya), (xb, yb) in zip(points, points[1:]):
            n = max(1, int(math.hypot(xb - xa, yb - ya) / step_px))
            for i in range(1, n + 1):
                page.mouse.move(xa + (xb - xa) * i / n, ya + (yb - ya) * i / n)
        page.mouse.up()


def draw_digit(page, canvas, digit, **where):
    draw_strokes(page, canvas, DIGITS[digit], **where)


# Eastern Arabic numerals for five labels, drawn as a person who writes them would (a style MNIST has never seen):
# ٢ a stem with a hook to the upper right, ٣ a stem with two, ٤ a backward ε, ٧ a V and ٨ an upside-down V.
EASTERN_ARABIC = {
    2: [[(0.82, 0.08), (0.78, 0.2), (0.66, 0.26), (0.52, 0.24), (0.44, 0.16), (0.42, 0.4), (0.44, 0.7), (0.46, 0.95)]],
    3: [[(0.9, 0.06), (0.86, 0.2), (0.76, 0.24), (0.68, 0.1), (0.6, 0.24), (0.5, 0.22), (0.42, 0.1), (0.4, 0.4),
         (0.42, 0.7), (0.44, 0.95)]],
    4: [_arc(0.55, 0.3, 0.25, 0.2, -40, -270, 18) + _arc(0.58, 0.7, 0.3, 0.22, -90, -320, 18)[1:]],
    7: [[(0.15, 0.08), (0.5, 0.95), (0.85, 0.08)]],
    8: [[(0.15, 0.95), (0.5, 0.08), (0.85, 0.95)]],
}


def varied(strokes, rng, wobble=0.03, slant=0.15):
    """``strokes`` as another hand would draw them once: each point moved by up to ``wobble``, the whole digit
    slanted by up to ``slant`` (a shear) and stretched by up to 15 % either way. ``rng``: a random.Random."""
    shear = rng.uniform(-slant, slant)
    sx, sy = rng.uniform(0.85, 1.15), rng.uniform(0.85, 1.15)

    def moved(x, y):
        x, y = 0.5 + (x - 0.5) * sx, 0.5 + (y - 0.5) * sy
        x += shear * (0.5 - y)
        return (min(1.0, max(0.0, x + rng.uniform(-wobble, wobble))), min(1.0, max(0.0, y + rng.uniform(-wobble, wobble))))

    return [[moved(x, y) for x, y in stroke] for stroke in strokes]


def random_place(rng):
    """Where on the pad (left, top, size as fractions of its side) a digit of varying size is drawn."""
    size = rng.uniform(0.45, 0.85)
    return dict(left=rng.uniform(0.03, 0.97 - size), top=rng.uniform(0.03, 0.97 - size), size=size)
