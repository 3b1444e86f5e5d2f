"""The requests the page's worker may send, what each one calls, and how its result travels back.

``web/worker.js`` is a thin adapter: it turns a request's payload into a Python dict (typed arrays and
ArrayBuffers become memoryviews), calls :func:`handle` and turns the result back into JavaScript. Everything
that decides *what* happens is here, tested on CPython:

* :data:`REQUESTS`, the one table of request types -> :class:`~nn_impl.session.Session` methods; a type not in
  it is refused, whatever public names ``Session`` has;
* :func:`transferable`, which makes a result cheap to send: every ``np.ndarray`` becomes
  ``{"__ndarray__": True, "shape", "dtype", "bytes"}`` (int64 narrowed to int32 and bool to uint8, because
  JavaScript has no cheap 64-bit integer arrays), NumPy scalars become Python numbers. The worker turns each
  marker into ``{shape, dtype, data: TypedArray}`` and transfers its buffer to the page.
"""

import inspect as _signatures

import numpy as np

from .session import Session

# request type -> the Session method it calls with the payload's fields as keyword arguments.
# "import" is a Python keyword, hence a method named import_model.
REQUESTS = {
    "load": Session.load,
    "configure": Session.configure,
    "train": Session.train,
    "stop": Session.stop,
    "set_learning_rate": Session.set_learning_rate,
    "predict": Session.predict,
    "export": Session.export,
    "import": Session.import_model,
    "inspect": Session.inspect,
    "reproduce": Session.reproduce,
    "check_settings": Session.check_settings,
    "restore": Session.restore_model,
    "use_pretrained": Session.use_pretrained,
    "checkpoint": Session.checkpoint,
    "resume": Session.resume,
    "read_digits": Session.read_digits,
    "write_digits": Session.write_digits,
    "set_my_digits": Session.set_my_digits,
    "teach": Session.configure_teaching,
    "teaching_result": Session.teaching_result,
    "undo_teaching": Session.undo_teaching,
}


def handle(session, request_type, payload=None, requests=REQUESTS):
    """Run one request of the page on ``session``; returns its result in :func:`transferable` form.

    requests: the table of request types (the cells' worker passes ``nn_impl.lesson.REQUESTS`` and its Lesson).
    Raises ``ValueError`` for a request type not in the table or a payload whose fields do not fit it
    (and whatever ``ValueError`` the method raises: the worker sends its message to the page).
    """
    method = requests.get(request_type)
    if method is None:
        raise ValueError(f"unknown request type {request_type!r}; the page may send: {', '.join(requests)}")
    payload = dict(payload or {})
    try:
        _signatures.signature(method).bind(session, **payload)
    except TypeError as err:
        raise ValueError(f"{request_type}: {err}") from None
    return transferable(method(session, **payload))


def transferable(obj):
    """``obj`` with every ndarray replaced by an ``__ndarray__`` marker and NumPy scalars by Python numbers."""
    if isinstance(obj, np.ndarray):
        a = obj
        if a.dtype == np.bool_:
            a = a.astype(np.uint8)
        elif a.dtype.kind in "iu" and a.dtype.itemsize == 8:
            a = a.astype(np.int32)
        elif a.dtype.kind == "f" and a.dtype.itemsize not in (4, 8):
            a = a.astype(np.float32)
        a = np.ascontiguousarray(a)
        return {"__ndarray__": True, "shape": list(a.shape), "dtype": a.dtype.name, "bytes": a.tobytes()}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {str(k): transferable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [transferable(v) for v in obj]
    return obj
