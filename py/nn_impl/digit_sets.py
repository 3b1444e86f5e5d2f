"""Sets of labelled digits in and out: a learner's own handwriting, or digits from elsewhere.

Three formats are read, each into MNIST's form -- uint8 images (n, 28, 28), white ink on black, and uint8
labels (n,) in 0..9:

* ``.npz``, the package's layout: ``x`` uint8 (n, 28, 28) and ``y`` uint8 (n,) (what :func:`to_npz` writes);
* ``.csv`` in the Kaggle Digit Recognizer layout: a header ``label,pixel0,...,pixel783``, then one digit a row,
  its 784 pixels row by row (pixel ``28 * i + j`` is row i, column j), each 0..255;
* ``.zip`` of images in folders named by their label (``3/any-name.png``; the folders may sit inside one more
  folder). PNG and PGM/PPM are read by :mod:`nn_impl.images`, other formats through Pillow when it is installed;
  each image is cropped, scaled and centred by :func:`nn_impl.preprocess.to_mnist`, as a drawing is.

A file is either refused whole (``ValueError``: too large, too many rows, a zip bomb, not one of these
formats), decided before the whole file is read, or read row by row / image by image: each bad one is named in
``problems`` (its row number or file name and what is wrong) and left out, and the caller chooses to add the
good ones or nothing. Nothing is unpickled (``.npz`` goes through :mod:`nn_impl.npzfile`).
"""

import io
import pathlib
import zipfile

import numpy as np

from . import npzfile
from .images import decode_image
from .preprocess import SIDE, to_mnist

# --- limits, checked before a file is read whole ------------------------------------------------------------
#: the largest file read (Kaggle's train.csv of 42 000 digits is 73 MB)
MAX_FILE_BYTES = 100 * 2**20
#: the most digits one file may hold (rows of a CSV, images of a zip, entries of an .npz)
MAX_DIGITS = 60_000
#: the most members a zip of images may list: each image is decoded and preprocessed in Python, a few
#: milliseconds apiece in the tab, so 5 000 images already take tens of seconds
MAX_ZIP_MEMBERS = 5_000
#: the most bytes a zip's members may inflate to, all together, as its central directory declares them
MAX_UNZIPPED_BYTES = 256 * 2**20
#: the largest image file in a zip, and the most pixels its image may have (a photo of one digit, scaled down)
MAX_IMAGE_FILE_BYTES = 8 * 2**20
MAX_IMAGE_PIXELS = 2048 * 2048
#: images compress a few times at most; a member of more than a megabyte that inflates more than this many
#: times is there to exhaust memory (a "zip bomb")
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECKED_FROM_BYTES = 2**20
#: at most this many problems are listed one by one; the rest are counted in one last line
MAX_PROBLEMS_LISTED = 50

#: a CSV's columns: the label, then the pixels of a 28×28 image
PIXELS = SIDE * SIDE
CSV_COLUMNS = 1 + PIXELS
#: the format names :func:`read_digit_set` reports
FORMATS = ("npz", "csv", "zip")

# What a zip made on a Mac or in Windows' Explorer adds beside the images.
_SYSTEM_FILES = ("thumbs.db", "desktop.ini")


def read_digit_set(data, filename):
    """The digits in a file, and the problems of the rows or images left out.

    data: the file's bytes; filename: its name, whose extension (.npz, .csv, .zip) says the format (when it
    says none the content does).
    Returns ``{"x": uint8 (n, 28, 28), "y": uint8 (n,), "problems": [str], "format": "npz" | "csv" | "zip",
    "n_good": n, "n_bad": int}``; ``problems`` lists the first :data:`MAX_PROBLEMS_LISTED` and counts the rest.
    Raises ``ValueError`` naming the file when it is refused whole.
    """
    data = bytes(data)
    name = pathlib.PurePath(str(filename)).name or "file"
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{name}: {_mb(len(data))} MB, more than the {_mb(MAX_FILE_BYTES)} MB a digit set may "
                         f"have; split it into smaller files")
    kind = _format_of(data, name)
    reader = {"npz": _read_npz, "csv": _read_csv, "zip": _read_zip}[kind]
    x, y, problems, n_bad = reader(data, name)
    if n_bad > len(problems):
        problems.append(f"... and {n_bad - len(problems)} more")
    return {"x": x, "y": y, "problems": problems, "format": kind, "n_good": int(len(y)), "n_bad": int(n_bad)}


def to_npz(x, y):
    """The bytes of an ``.npz`` in the package's layout: ``x`` uint8 (n, 28, 28), ``y`` uint8 (n,).

    x, y: as :func:`checked_digits` takes them. The same digits always give the same bytes.
    """
    x, y = checked_digits(x, y)
    buffer = io.BytesIO()
    npzfile.write(buffer, {"x": x, "y": y})
    return buffer.getvalue()


def checked_digits(x, y):
    """``(x uint8 (n, 28, 28), y uint8 (n,))`` from images and labels, or ``ValueError`` saying what is wrong.

    x: n images of 28×28 values in 0..255 (integers, or floats rounded to the nearest), of shape (n, 28, 28),
    (n, 784) or flat (n * 784,) -- n is the number of labels; y: n labels in 0..9.
    """
    y = np.asarray(y)
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iuf"):
        raise ValueError(f"y: expected a list of labels 0..9, got an array of shape {y.shape} ({y.dtype})")
    if y.size and (not np.isfinite(y).all() or (y != np.round(y)).any() or y.min() < 0 or y.max() > 9):
        raise ValueError("y: every label must be a whole number 0..9")
    x = np.asarray(x)
    if x.size != len(y) * PIXELS:
        raise ValueError(f"x: {x.size} values for {len(y)} labels; expected {PIXELS} (28×28) per digit")
    if x.size and (x.dtype.kind not in "iuf" or not np.isfinite(x).all() or x.min() < 0 or x.max() > 255):
        raise ValueError("x: pixels must be numbers 0..255 (white ink on black, as MNIST)")
    if x.dtype != np.uint8:
        x = np.rint(x).astype(np.uint8)
    return x.reshape(len(y), SIDE, SIDE), y.astype(np.uint8)


def _format_of(data, name):
    suffix = pathlib.PurePath(name).suffix.lower()
    if suffix == ".npz":
        return "npz"
    if suffix == ".zip":
        return "zip"
    if suffix == ".csv":
        return "csv"
    if data.startswith(b"PK"):
        return "npz" if b".npy" in data[-4096:] else "zip"  # the central directory, at the end, names members
    head = data[:4096]
    if b"," in head and b"\x00" not in head:  # text with commas: try it as a CSV, whose reader says what is wrong
        return "csv"
    raise ValueError(f"{name}: not a digit set this page reads: expected an .npz (x, y), a .csv (label,pixel0,"
                     f"...,pixel783) or a .zip of images in folders named 0 to 9")


def _mb(n_bytes):
    return f"{n_bytes / 2**20:.0f}" if n_bytes >= 2**20 else f"{n_bytes / 2**20:.2f}"


class _Problems:
    """The problems of a file: the first few as sentences, all of them counted."""

    def __init__(self):
        self.listed, self.count = [], 0

    def add(self, text):
        self.count += 1
        if len(self.listed) < MAX_PROBLEMS_LISTED:
            self.listed.append(text)


def _result(images, labels, problems):
    x = np.array(images, dtype=np.uint8).reshape(len(labels), SIDE, SIDE)
    return x, np.array(labels, dtype=np.uint8), problems.listed, problems.count


# --- .npz ------------------------------------------------------------------------------------------------


def _read_npz(data, name):
    source = io.BytesIO(data)
    source.name = name  # npzfile names the file in its messages
    arrays, _ = npzfile.read(source, "digit set", MAX_FILE_BYTES, max_members=8)
    if "x" not in arrays or "y" not in arrays:
        held = ", ".join(sorted(arrays)) or "nothing"
        raise ValueError(f"{name}: holds {held}; a digit set holds x (n, 28, 28) and y (n,), as 'Export my "
                         f"digits' and nn_impl.digit_sets.to_npz write them")
    x, y = arrays["x"], arrays["y"]
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"{name}: y has shape {y.shape} ({y.dtype}); expected whole-number labels of shape (n,)")
    if len(y) > MAX_DIGITS:
        raise ValueError(f"{name}: {len(y):,} digits, more than the {MAX_DIGITS:,} a digit set may have")
    if x.shape not in ((len(y), SIDE, SIDE), (len(y), PIXELS)) or x.dtype.kind not in "iuf":
        raise ValueError(f"{name}: x has shape {x.shape} ({x.dtype}); expected numbers of shape ({len(y)}, 28, 28), "
                         f"one 28×28 image per label")
    x = x.reshape(len(y), PIXELS)
    problems = _Problems()
    good = np.ones(len(y), dtype=bool)
    for i in np.flatnonzero((y < 0) | (y > 9)):
        problems.add(f"digit {i + 1}: label {int(y[i])} is not a digit 0-9")
        good[i] = False
    if x.dtype != np.uint8:
        with np.errstate(invalid="ignore"):
            bad_pixels = ~np.isfinite(x) | (x < 0) | (x > 255) if x.dtype.kind == "f" else (x < 0) | (x > 255)
        for i in np.flatnonzero(bad_pixels.any(axis=1) & good):
            problems.add(f"digit {i + 1}: pixel values outside 0-255")
            good[i] = False
    return np.rint(x[good]).astype(np.uint8).reshape(-1, SIDE, SIDE), y[good].astype(np.uint8), \
        problems.listed, problems.count


# --- .csv ------------------------------------------------------------------------------------------------


def _read_csv(data, name):
    """Rows are named by their line in the file, counted from 1 with the header, as a spreadsheet shows them."""
    # Counting line breaks runs at memory speed, so ten million rows are refused before any is parsed.
    n_lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if n_lines > MAX_DIGITS + 1:
        raise ValueError(f"{name}: {n_lines:,} rows, more than the {MAX_DIGITS:,} digits (and a header) a digit "
                         f"set may have; split it into smaller files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not a text CSV file (byte {exc.start} is not UTF-8 text)") from None
    lines = text.splitlines()
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines):
        raise ValueError(f"{name}: the file is empty")
    header = [field.strip().strip('"').lower() for field in lines[first].split(",")]
    if not all(_is_number(field) for field in header):
        _check_header(header, name)
        first += 1
    problems = _Problems()
    images, labels = [], []
    for number in range(first, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        row = _csv_row(line, number + 1, problems)
        if row is not None:
            labels.append(row[0])
            images.append(row[1:])
    return _result(images, labels, problems)


def _check_header(header, name):
    if header[0] != "label":
        if len(header) == PIXELS and header[0] == "pixel0":
            raise ValueError(f"{name}: no label column: its header starts with pixel0 (Kaggle's test.csv is "
                             f"like that); a digit set's header is label,pixel0,...,pixel783")
        raise ValueError(f"{name}: the header starts with {header[0]!r}; a digit set's header is label,pixel0,"
                         f"...,pixel783 (Kaggle's Digit Recognizer layout)")
    if len(header) != CSV_COLUMNS:
        raise ValueError(f"{name}: the header has {len(header)} columns; expected {CSV_COLUMNS}: label, then "
                         f"pixel0 to pixel{PIXELS - 1}")


def _is_number(field):
    try:
        float(field)
    except ValueError:
        return False
    return True


def _csv_row(line, row_number, problems):
    """[label, 784 pixels] as ints from one line, or None (and the problem noted)."""
    fields = line.split(",")
    if len(fields) != CSV_COLUMNS:
        problems.add(f"row {row_number}: {len(fields)} columns; expected {CSV_COLUMNS} (label, then 784 pixels)")
        return None
    try:
        values = np.array([int(field) for field in fields], dtype=np.int64)
    except ValueError:
        bad = next(i for i, field in enumerate(fields) if not _is_whole(field))
        column = "label" if bad == 0 else f"pixel{bad - 1}"
        problems.add(f"row {row_number}: {column} is {fields[bad].strip()!r}, not a whole number")
        return None
    if not 0 <= values[0] <= 9:
        problems.add(f"row {row_number}: label {values[0]} is not a digit 0-9")
        return None
    outside = np.flatnonzero((values[1:] < 0) | (values[1:] > 255))
    if outside.size:
        problems.add(f"row {row_number}: pixel{outside[0]} is {values[1 + outside[0]]}, outside 0-255"
                     + (f" (and {outside.size - 1} more pixels)" if outside.size > 1 else ""))
        return None
    return values


def _is_whole(field):
    try:
        int(field)
    except ValueError:
        return False
    return True


# --- .zip of images in folders named by label ---------------------------------------------------------------


def _read_zip(data, name):
    members = _zip_members(data, name)
    problems = _Problems()
    images, labels = [], []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in members:
            path = info.filename.replace("\\", "/")
            parts = pathlib.PurePosixPath(path).parts
            if info.is_dir() or any(part.startswith((".", "__MACOSX")) for part in parts) \
                    or parts[-1].lower() in _SYSTEM_FILES:
                continue
            if len(parts) < 2:
                problems.add(f"{path}: not in a folder named by its digit (put it in a folder 0 to 9)")
                continue
            folder = parts[-2]
            if folder not in "0123456789" or len(folder) != 1:
                problems.add(f"{path}: its folder {folder!r} is not a digit 0-9")
                continue
            if info.file_size > MAX_IMAGE_FILE_BYTES:
                problems.add(f"{path}: {_mb(info.file_size)} MB, more than the {_mb(MAX_IMAGE_FILE_BYTES)} MB an "
                             f"image of a digit may have")
                continue
            try:
                # Read in one bounded call: zipfile then inflates at most that much and stops at the declared
                # size (checking the CRC there), so a member that lies about its size cannot exhaust memory.
                with archive.open(info) as member:
                    raw = member.read(MAX_IMAGE_FILE_BYTES + 1)
                image = decode_image(raw, path, MAX_IMAGE_PIXELS)
                digit = to_mnist(image)
            except (zipfile.BadZipFile, RuntimeError, EOFError, OSError) as exc:  # RuntimeError: encrypted
                problems.add(f"{path}: cannot be read from the zip ({exc})")
                continue
            except ValueError as exc:
                message = str(exc).removeprefix(f"{path}: ")
                problems.add(f"{path}: not an image of a digit ({message})")
                continue
            images.append(np.rint(digit).astype(np.uint8))
            labels.append(int(folder))
    return _result(images, labels, problems)


def _zip_members(data, name):
    """The zip's members (ZipInfo), after refusing it whole when its directory declares too much."""
    declared = npzfile.declared_member_count(data)
    if declared is not None and declared > MAX_ZIP_MEMBERS:
        more = "more than 65 535" if declared == 0xFFFF else f"{declared:,}"
        raise ValueError(f"{name}: the zip lists {more} files, more than the {MAX_ZIP_MEMBERS:,} images a digit "
                         f"set may have; split it into smaller zips")
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{name}: not a readable zip file ({exc}); save or download it again") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ValueError(f"{name}: the zip lists {len(members):,} files, more than the {MAX_ZIP_MEMBERS:,} images "
                         f"a digit set may have; split it into smaller zips")
    total = sum(info.file_size for info in members)
    bombs = [info for info in members if info.file_size > _RATIO_CHECKED_FROM_BYTES
             and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)]
    if bombs or total > MAX_UNZIPPED_BYTES:
        worst = bombs[0] if bombs else max(members, key=lambda info: info.file_size)
        raise ValueError(
            f"{name}: a zip bomb? its files would inflate to {_mb(total)} MB ({worst.filename}: "
            f"{_mb(worst.compress_size)} MB compressed, {_mb(worst.file_size)} MB unpacked); a digit set unpacks "
            f"to at most {_mb(MAX_UNZIPPED_BYTES)} MB, images at most {MAX_COMPRESSION_RATIO} times their "
            f"compressed size. Nothing was unpacked")
    return members
