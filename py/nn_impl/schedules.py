"""Learning-rate schedules: ``factor(progress) -> float``, multiplied into the base learning rate.

``progress`` is the fraction of the fit done so far, in [0, 1], advanced after every batch (so a cosine
schedule decays smoothly within epochs, not in stairs).
"""

import math


def constant(progress):
    """Always the base rate (the tutorial's plain SGD)."""
    return 1.0


def step(progress):
    """The base rate, then a tenth of it from half-way, and a hundredth from three quarters of the way."""
    return 1.0 if progress < 0.5 else 0.1 if progress < 0.75 else 0.01


def cosine(progress):
    """Half a cosine from the base rate down to 0 at the end of the fit (Loshchilov & Hutter, 2017)."""
    return 0.5 * (1.0 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))


SCHEDULES = {"constant": constant, "step": step, "cosine": cosine}
