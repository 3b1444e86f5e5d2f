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
