"""nn_impl.worker_requests: the table of requests the page may send, and results made transferable."""

import json

import numpy as np
import pytest

from nn_impl import params
from nn_impl.session import Session
from nn_impl.worker_requests import REQUESTS, handle, transferable
from test_session import FAST, dataset_bytes


@pytest.fixture
def session():
    s = Session()
    handle(s, "load", {"dataset": memoryview(dataset_bytes())})
    return s


def test_the_table_lists_exactly_the_requests_the_page_sends():
    assert list(REQUESTS) == [
        "load", "configure", "train", "stop", "set_learning_rate", "predict", "export", "import", "inspect",
        "reproduce", "check_settings", "restore", "use_pretrained", "checkpoint", "resume", "read_digits",
        "write_digits", "set_my_digits", "teach", "teaching_result", "undo_teaching",
    ]
    assert REQUESTS["teach"] is Session.configure_teaching
    assert REQUESTS["import"] is Session.import_model  # "import" is a Python keyword


@pytest.mark.parametrize("request_type", [
    "debug_crash", "pause", "unpause", "step", "reset", "set_lr", "import_model", "_require_data", "__init__",
    "model", "INSPECT_PARTS",
])
def test_a_request_not_in_the_table_is_refused(session, request_type):
    with pytest.raises(ValueError, match=f"unknown request type '{request_type}'"):
        handle(session, request_type, {})


def test_a_payload_that_does_not_fit_the_request_is_refused(session):
    with pytest.raises(ValueError, match="train: .*unexpected keyword argument 'batches'"):
        handle(session, "train", {"batches": 3})
    with pytest.raises(ValueError, match="configure: .*config"):
        handle(session, "configure", {})


def test_every_live_setting_has_its_request():
    live = [name for name, entry in json.loads(params.as_json(n_train=10)).items() if entry["live"]]
    assert live == ["learning_rate"]
    for name in live:
        assert f"set_{name}" in REQUESTS


def test_a_run_driven_through_requests(session):
    configured = handle(session, "configure", {"config": FAST})
    assert configured["layer_sizes"] == [784, 16, 10]
    assert handle(session, "train", {"n_batches": 1})["batches"] == 1  # the page's Step
    assert handle(session, "set_learning_rate", {"learning_rate": 0.02}) == {"learning_rate": 0.02}
    with pytest.raises(ValueError, match="learning_rate"):
        handle(session, "set_learning_rate", {"learning_rate": 0})
    assert handle(session, "stop")["status"] == "stopped"
    exported = handle(session, "export")
    assert exported["bytes"]["__ndarray__"] and exported["bytes"]["dtype"] == "uint8"
    reply = handle(session, "import", {"data": memoryview(exported["bytes"]["bytes"])})
    assert reply["model"] == "imported" and reply["layer_sizes"] == [784, 16, 10]


def test_results_become_markers_with_narrowed_dtypes():
    out = transferable({
        "i": np.arange(3, dtype=np.int64), "b": np.array([True, False]), "h": np.ones((2, 2), np.float16),
        "s": np.float32(0.5), "nested": [(np.int64(7),)], 1: "key",
    })
    assert out["i"] == {"__ndarray__": True, "shape": [3], "dtype": "int32",
                        "bytes": np.arange(3, dtype=np.int32).tobytes()}
    assert out["b"]["dtype"] == "uint8" and out["h"]["dtype"] == "float32" and out["h"]["shape"] == [2, 2]
    assert out["s"] == 0.5 and type(out["s"]) is float
    assert out["nested"] == [[7]] and out["1"] == "key"
    fortran = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert transferable(fortran)["bytes"] == np.arange(6, dtype=np.float32).tobytes()
