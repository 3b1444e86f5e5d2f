"""``.npz`` files read safely and written reproducibly: the one reader and writer for model and dataset files.

The same files move between CPython and the browser tab, and a user can hand the page any file at all, so
reading trusts nothing: the raw size and the size the members would inflate to are capped before anything is
decompressed (a small zip can hold gigabytes of zeros), nothing is unpickled (``allow_pickle=False``: a pickle
can run code), and every failure is a ``ValueError`` that names the file and says what to do.
"""

import io
import os
import pathlib
import struct
import tempfile
import zipfile

import numpy as np


def read(source, what, max_bytes, max_members=64):
    """(arrays, name): every member of the ``.npz`` in ``source`` as a dict name -> array, and a name for messages.

    source: a path (str or PathLike), the file's bytes (bytes, bytearray, memoryview), or a binary file object.
    what: what the file should be, for messages (``"model file"``, ``"dataset file"``).
    max_bytes: the largest file, and the largest total of its uncompressed members, that is read.
    max_members: the most arrays the file may hold, checked from the archive's last record before its
    directory is read (a 10 MB zip can list 100 000 empty members, and listing them blocks for minutes in wasm).
    """
    raw, name = _read_capped(source, what, max_bytes)
    if not raw.startswith(b"PK"):
        raise ValueError(f"{name}: not an .npz file: it is not a zip archive (an incomplete download, or another "
                         f"kind of file?)")
    declared = declared_member_count(raw)
    if declared is not None and declared > max_members:
        more = "more than 65 535" if declared == 0xFFFF else f"{declared:,}"
        raise ValueError(f"{name}: the archive lists {more} members; a {what} has at most {max_members}")
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError(
            f"{name}: not a readable .npz file, probably truncated ({exc}); save or download it again"
        ) from exc
    # the uncompressed sizes, checked before inflating anything
    if sum(member.file_size for member in members) > max_bytes:
        raise ValueError(f"{name}: its arrays would take more than {max_bytes // 2**20} MiB; not a {what}")
    arrays = {}
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            for key in npz.files:
                arrays[key] = npz[key]
    except ValueError as exc:
        if "pickle" in str(exc):
            raise ValueError(
                f"{name}: holds pickled Python objects, which are never loaded (they could run code); "
                f"a {what} holds only plain arrays"
            ) from exc
        raise ValueError(f"{name}: a member is not a valid NumPy array ({exc})") from exc
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ValueError(f"{name}: corrupt or truncated .npz ({exc}); save or download it again") from exc
    except Exception as exc:  # zlib.error and friends: a damaged compressed member
        raise ValueError(f"{name}: corrupt .npz member ({type(exc).__name__}: {exc})") from exc
    return arrays, name


_END_OF_DIRECTORY = b"PK\x05\x06"


def declared_member_count(raw):
    """How many members the zip's end-of-central-directory record declares (0xFFFF: that many or more, the
    field's largest value), or None when there is no such record (the zip module then says what is wrong).

    The record is the last 22 bytes plus a comment of up to 64 KiB, so this reads at most that much.
    """
    at = raw.rfind(_END_OF_DIRECTORY, max(0, len(raw) - 22 - 0xFFFF))
    if at < 0 or at + 22 > len(raw):
        return None
    return struct.unpack_from("<H", raw, at + 10)[0]  # total number of entries in the central directory


def _read_capped(source, what, max_bytes):
    """(bytes, name for messages) of ``source``, refusing anything over ``max_bytes`` before reading it all."""
    too_big = f"larger than the {max_bytes // 2**20} MiB a {what} may have"
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw, name = bytes(source), what
    elif hasattr(source, "read"):
        raw, name = source.read(max_bytes + 1), str(getattr(source, "name", what))
    elif isinstance(source, (str, os.PathLike)):
        path = pathlib.Path(source)
        if not path.is_file():
            raise ValueError(f"{path}: no such {what}")
        if path.stat().st_size > max_bytes:
            raise ValueError(f"{path}: {too_big}; is it a {what}?")
        raw, name = path.read_bytes(), str(path)
    else:
        raise ValueError(f"{what}: expected a path, bytes or a binary file, got {type(source).__name__}")
    if len(raw) > max_bytes:
        raise ValueError(f"{name}: {too_big}; is it a {what}?")
    return raw, name


def write(file, arrays, compress=True):
    """Like ``np.savez_compressed(file, **arrays)``, but reproducible and never renaming or half-writing a file.

    file: a path or a binary file object; arrays: dict name -> array (plain dtypes; nothing is pickled).
    NumPy stamps every member with the current time, so saving the same arrays twice gives different bytes
    (and a different sha256 in the site's build-info). Here every member carries the same fixed date and
    members are written in the order given. A path is written under exactly that name (NumPy would append
    ``.npz``) through a temporary file, so a failure leaves any previous file intact.
    """
    if hasattr(file, "write"):
        _write_zip_of_arrays(file, arrays, compress)
        return
    path = pathlib.Path(file)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            _write_zip_of_arrays(stream, arrays, compress)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _write_zip_of_arrays(stream, arrays, compress):
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(stream, "w", compression=method) as archive:
        for key, array in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16  # a plain readable file when unzipped
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
