"""nn_impl.digit_sets: digit sets read from .npz, Kaggle-layout CSV and zips of labelled folders, and written.

Each bad row or image is named in ``problems`` and left out; a file refused whole raises ``ValueError``, and the
limits that refuse it are checked before the file is read whole (shown here without timing anything: the
functions that would read it are made to fail if they are reached).
"""

import io
import zipfile

import numpy as np
import pytest

from nn_impl import digit_sets, npzfile
from nn_impl.digit_sets import read_digit_set
from test_cli import encode_png


def some_digits(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28)).astype(np.uint8), (np.arange(n) % 10).astype(np.uint8)


def csv_bytes(x, y, header=True, newline="\n"):
    lines = ["label," + ",".join(f"pixel{i}" for i in range(784))] if header else []
    lines += [",".join(map(str, [int(label), *image.ravel()])) for image, label in zip(x, y)]
    return (newline.join(lines) + newline).encode()


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


def stroke(label):
    """A 60×40 picture (dark ink on white paper) whose ink is a bar in a place that depends on the label."""
    image = np.full((60, 40), 255, dtype=np.uint8)
    image[10:50, 5 + 3 * label:9 + 3 * label] = 0
    return image


# --- .npz -------------------------------------------------------------------------------------------------


def test_npz_written_then_read_gives_the_same_digits():
    x, y = some_digits(12)
    blob = digit_sets.to_npz(x, y)
    assert blob == digit_sets.to_npz(x.reshape(12, 784), list(y))  # reproducible, whatever shape comes in
    found = read_digit_set(blob, "my-digits.npz")
    assert found["format"] == "npz" and (found["n_good"], found["n_bad"], found["problems"]) == (12, 0, [])
    assert found["x"].dtype == np.uint8 and np.array_equal(found["x"], x) and np.array_equal(found["y"], y)
    assert read_digit_set(blob, "download")["format"] == "npz"  # no extension: the content says it


def npz_of(**arrays):
    buffer = io.BytesIO()
    npzfile.write(buffer, arrays)
    return buffer.getvalue()


def test_npz_rows_with_bad_labels_or_pixels_are_named_and_left_out():
    x, y = some_digits(5)
    labels = y.astype(np.int16)
    labels[1] = 12
    pixels = x.astype(np.float32)
    pixels[3, 0, 0] = 300.0
    found = read_digit_set(npz_of(x=pixels, y=labels), "mine.npz")
    assert found["problems"] == ["digit 2: label 12 is not a digit 0-9", "digit 4: pixel values outside 0-255"]
    assert (found["n_good"], found["n_bad"]) == (3, 2)
    assert np.array_equal(found["y"], y[[0, 2, 4]])


@pytest.mark.parametrize("arrays, message", [
    ({"x_train": np.zeros((2, 28, 28), np.uint8)}, "holds x_train; a digit set holds x"),
    ({"x": np.zeros((2, 28, 27), np.uint8), "y": np.zeros(2, np.uint8)}, r"x has shape \(2, 28, 27\)"),
    ({"x": np.zeros((2, 28, 28), np.uint8), "y": np.zeros(2, np.float32)}, "whole-number labels"),
])
def test_an_npz_that_is_not_a_digit_set_is_refused(arrays, message):
    with pytest.raises(ValueError, match=f"mine.npz: .*{message}"):
        read_digit_set(npz_of(**arrays), "mine.npz")


def test_an_npz_with_pickles_is_refused_unopened():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.array([{"a": 1}], dtype=object), y=np.zeros(1, np.uint8))
    with pytest.raises(ValueError, match="pickled Python objects"):
        read_digit_set(buffer.getvalue(), "evil.npz")


# --- .csv ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header, newline", [(True, "\n"), (True, "\r\n"), (False, "\n")])
def test_a_kaggle_csv_is_read(header, newline):
    x, y = some_digits(7)
    found = read_digit_set(csv_bytes(x, y, header, newline) + b"\n\n", "train.csv")
    assert found["format"] == "csv" and (found["n_good"], found["n_bad"]) == (7, 0)
    assert np.array_equal(found["x"], x) and np.array_equal(found["y"], y)


def test_each_bad_csv_row_is_named_with_what_is_wrong():
    x, y = some_digits(6)
    lines = csv_bytes(x, y).decode().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0]                   # row 3: a column short
    lines[3] = "12" + lines[3][1:]                          # row 4: label 12
    lines[4] = lines[4][:2] + "300" + lines[4][lines[4].index(",", 2):]  # row 5: pixel0 is 300
    lines[5] = lines[5][:2] + "x7" + lines[5][lines[5].index(",", 2):]   # row 6: not a number
    found = read_digit_set("\n".join(lines).encode(), "mine.csv")
    assert found["problems"] == [
        "row 3: 784 columns; expected 785 (label, then 784 pixels)",
        "row 4: label 12 is not a digit 0-9",
        "row 5: pixel0 is 300, outside 0-255",
        "row 6: pixel0 is 'x7', not a whole number",
    ]
    assert (found["n_good"], found["n_bad"]) == (2, 4)
    assert np.array_equal(found["y"], y[[0, 5]])


def test_only_the_first_problems_are_listed_and_the_rest_counted():
    x, y = some_digits(digit_sets.MAX_PROBLEMS_LISTED + 7)
    blob = csv_bytes(x, y, header=False).replace(b"\n", b",0\n")  # every row a column too many
    found = read_digit_set(blob, "mine.csv")
    assert found["n_bad"] == len(y) and found["n_good"] == 0
    assert len(found["problems"]) == digit_sets.MAX_PROBLEMS_LISTED + 1 and found["problems"][-1] == "... and 7 more"


@pytest.mark.parametrize("header, message", [
    (",".join(f"pixel{i}" for i in range(784)), "no label column: its header starts with pixel0"),
    ("digit,a,b", "the header starts with 'digit'"),
    ("label,pixel0,pixel1", "the header has 3 columns; expected 785"),
])
def test_a_csv_header_not_in_kaggles_layout_is_refused(header, message):
    with pytest.raises(ValueError, match=f"test.csv: {message}"):
        read_digit_set((header + "\n1,2,3\n").encode(), "test.csv")


def test_ten_million_rows_are_refused_before_any_row_is_parsed(monkeypatch):
    def parse(*args):
        raise AssertionError("a row was parsed")

    monkeypatch.setattr(digit_sets, "_csv_row", parse)
    with pytest.raises(ValueError, match=r"big.csv: 10,000,001 rows, more than the 60,000 digits"):
        read_digit_set(b"label,pixel0\n" + b"1,0\n" * 10_000_000, "big.csv")


def test_a_file_over_the_size_limit_is_refused_from_its_length(monkeypatch):
    monkeypatch.setattr(digit_sets, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(digit_sets, "_format_of", lambda *args: pytest.fail("the content was looked at"))
    with pytest.raises(ValueError, match="huge.csv: 0.00 MB, more than the 0.00 MB a digit set may have"):
        read_digit_set(b"1" * 1001, "huge.csv")


def test_a_file_of_no_known_format_is_refused():
    with pytest.raises(ValueError, match="photo.jpg: not a digit set this page reads"):
        read_digit_set(b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.jpg")
    with pytest.raises(ValueError, match="notes.csv: not a text CSV file"):
        read_digit_set(b"label,\xff\xfe", "notes.csv")


# --- .zip of images in folders named by label --------------------------------------------------------------


def test_a_zip_of_labelled_folders_is_read_like_drawings():
    members = {f"my digits/{label}/drawing-{label}.png": encode_png(stroke(label)) for label in (3, 7, 0)}
    members["my digits/7/.DS_Store"] = b"\x00\x00\x00\x01Bud1"
    members["__MACOSX/my digits/7/._drawing-7.png"] = b"\x00\x05\x16\x07"
    found = read_digit_set(zip_bytes(members), "digits.zip")
    assert found["format"] == "zip" and (found["n_good"], found["n_bad"], found["problems"]) == (3, 0, [])
    assert sorted(found["y"].tolist()) == [0, 3, 7]
    assert found["x"].shape == (3, 28, 28) and found["x"].max() == 255  # white ink on black, like MNIST
    assert found["x"][:, 0, :].max() == 0  # centred like MNIST: nothing on the border


def test_each_bad_file_in_a_zip_is_named():
    members = {
        "4/good.png": encode_png(stroke(4)),
        "4/notes.txt": b"these are my fours",
        "cats/cat.png": encode_png(stroke(1)),
        "loose.png": encode_png(stroke(2)),
        "5/blank.png": encode_png(np.full((30, 30), 255, np.uint8)),
        "6/broken.png": encode_png(stroke(6))[:60],
    }
    found = read_digit_set(zip_bytes(members), "digits.zip")
    assert (found["n_good"], found["n_bad"]) == (1, 5) and found["y"].tolist() == [4]
    problems = "\n".join(found["problems"])
    assert "4/notes.txt: not an image of a digit (" in problems  # its reason: Pillow's, or that it is missing
    assert "cats/cat.png: its folder 'cats' is not a digit 0-9" in problems
    assert "loose.png: not in a folder named by its digit" in problems
    assert "5/blank.png: not an image of a digit" in problems
    assert "6/broken.png: not an image of a digit (corrupt PNG" in problems


def patched_declared_size(blob, size):
    """The zip with its (first) central directory entry declaring ``size`` uncompressed bytes."""
    at = blob.index(b"PK\x01\x02")
    return blob[:at + 24] + size.to_bytes(4, "little") + blob[at + 28:]


def test_a_zip_bomb_is_refused_from_its_directory_without_unpacking(monkeypatch):
    declared_huge = patched_declared_size(zip_bytes({"3/a.png": encode_png(stroke(3))}), 0xFFFF0000)
    zeros = zip_bytes({"3/a.png": bytes(4 * 2**20)})  # really inflates 1000 times
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *args, **kwargs: pytest.fail("a member was unpacked"))
    with pytest.raises(ValueError, match=r"bomb.zip: a zip bomb\? its files would inflate to 4096 MB"):
        read_digit_set(declared_huge, "bomb.zip")
    with pytest.raises(ValueError, match="zeros.zip: a zip bomb.*Nothing was unpacked"):
        read_digit_set(zeros, "zeros.zip")


def test_a_member_that_lies_about_its_size_is_not_inflated_past_the_limit(monkeypatch):
    liar = patched_declared_size(zip_bytes({"3/a.png": bytes(50 * 2**20)}), 1000)  # says 1000 bytes
    inflated = []
    make_decompressor = zipfile._get_decompressor

    class Counting:  # counts what zipfile's decompressor hands out
        def __init__(self, inner):
            self.inner = inner

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(zipfile, "_get_decompressor", lambda kind: Counting(make_decompressor(kind)))
    found = read_digit_set(liar, "liar.zip")
    assert found["n_bad"] == 1 and found["problems"][0].startswith("3/a.png: cannot be read from the zip (")
    assert sum(inflated) <= digit_sets.MAX_IMAGE_FILE_BYTES + 1  # not the 50 MB it holds


def test_a_zip_listing_too_many_files_is_refused_from_its_last_record(monkeypatch):
    blob = zip_bytes({f"1/{i}.png": b"" for i in range(5)})
    monkeypatch.setattr(digit_sets, "MAX_ZIP_MEMBERS", 3)
    monkeypatch.setattr(zipfile.ZipFile, "infolist", lambda self: pytest.fail("the directory was read"))
    with pytest.raises(ValueError, match="many.zip: the zip lists 5 files, more than the 3 images"):
        read_digit_set(blob, "many.zip")


def test_an_image_over_the_pixel_limit_is_named_without_decoding_it(monkeypatch):
    monkeypatch.setattr(digit_sets, "MAX_IMAGE_PIXELS", 100)
    found = read_digit_set(zip_bytes({"2/big.png": encode_png(stroke(2))}), "digits.zip")
    assert found["n_bad"] == 1 and "2/big.png: not an image of a digit" in found["problems"][0]
    assert "40x60 = 2,400 pixels, more than the 100" in found["problems"][0]


# --- what the session hands over -------------------------------------------------------------------------


def test_checked_digits_takes_flat_bytes_or_images():
    x, y = some_digits(3)
    flat_x, flat_y = digit_sets.checked_digits(np.frombuffer(x.tobytes(), np.uint8), [0, 1, 2])
    assert np.array_equal(flat_x, x) and flat_y.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="x: 10 values for 3 labels"):
        digit_sets.checked_digits(np.zeros(10), y)
