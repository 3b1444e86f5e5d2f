"""Running a notebook cell: its statements, then the repr of its last expression, as a notebook shows them.

Tracebacks name the cell ("Cell 3", line 2) and show its source lines, and leave out the frames of the runner
(this module, and whatever called it: the worker's runtime), so a learner sees only their own code and the
libraries it called. What the cell prints goes to ``sys.stdout`` as it happens (the worker streams it).
"""

import ast
import linecache
import traceback


def new_namespace():
    """A fresh namespace for cells, as a notebook's: ``__name__`` is "__main__" and nothing else is defined."""
    return {"__name__": "__main__", "__builtins__": __builtins__}


def _remember_source(name, source):
    # linecache is where traceback looks for a frame's source line; a cell has no file, so it is put there.
    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    linecache.cache[name] = (len(source), None, lines, name)


def _compile(source, name):
    """(code for the statements, code for the last expression or None) of a cell's source."""
    tree = ast.parse(source, filename=name, mode="exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, name, "exec")
    return body, (compile(last, name, "eval") if last is not None else None)


def _cell_traceback(err, name):
    """Python's traceback of ``err`` from the first frame of cell code on (the runner's frames left out)."""
    if isinstance(err, SyntaxError) and err.filename == name:
        return "".join(traceback.format_exception_only(type(err), err))
    tb = err.__traceback__
    # This module's frames are known by their globals: a file name would not do (Pyodide's compiled wheel
    # names its code objects by a relative path, unlike __file__).
    while tb is not None and tb.tb_frame.f_globals is globals():
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(err), err, tb))


def run_cell(source, name, namespace):
    """Run one cell's code in ``namespace`` (a dict, changed in place), as a notebook does.

    source: the cell's text. name: how tracebacks name it ("Cell 3", "Your code").
    Returns ``{"value": repr of the last expression's value, or None when it is None or the cell does not end
    with an expression, "error": the traceback text or None, "interrupted": bool}``. A ``KeyboardInterrupt``
    (the page's Interrupt button) is reported like an error, with ``interrupted`` true; the namespace keeps
    whatever the cell had assigned before it stopped.
    """
    _remember_source(name, source)
    try:
        body, last = _compile(source, name)
        exec(body, namespace)
        value = eval(last, namespace) if last is not None else None
    except KeyboardInterrupt as err:
        return {"value": None, "error": _cell_traceback(err, name), "interrupted": True}
    except (Exception, SystemExit) as err:  # noqa: BLE001 -- the learner's errors are shown, never raised
        return {"value": None, "error": _cell_traceback(err, name), "interrupted": False}
    return {"value": None if value is None else repr(value), "error": None, "interrupted": False}
