"""nn_impl.params: the exported table's format, the page-only settings and their validation."""

import json

import pytest

from nn_impl import params


def test_the_exported_table_has_one_exact_format_with_the_page_settings():
    table = json.loads(params.as_json(n_train=500))
    for name, entry in table.items():
        assert tuple(entry) == params.EXPORTED_KEYS, name
        assert entry["label"], name
    assert [n for n, e in table.items() if e["page_only"]] == [
        "train_samples", "stop_accuracy", "training_data", "replay_share", "teach_batches", "teach_learning_rate"]
    assert table["train_samples"]["max"] == table["train_samples"]["default"] == 500
    assert (table["hidden_layer_sizes"]["min_length"], table["hidden_layer_sizes"]["max_length"]) == (0, 16)
    assert table["learning_rate"]["min_exclusive"] and table["momentum"]["max_exclusive"]
    assert [n for n, e in table.items() if e["live"]] == ["learning_rate"]
    assert "train_samples" not in json.loads(params.as_json())  # the model's table alone without n_train


def test_page_settings_are_validated_by_the_table():
    assert params.validate_page_settings(100, train_samples=100, stop_accuracy=None) == {
        "train_samples": 100, "stop_accuracy": None}
    with pytest.raises(ValueError, match="train_samples: must be at most 100"):
        params.validate_page_settings(100, train_samples=101)
    with pytest.raises(ValueError, match="stop_accuracy: must be greater than 0"):
        params.validate_page_settings(100, stop_accuracy=0)
    assert params.validate(hidden_layer_sizes=()) == {"hidden_layer_sizes": ()}
    with pytest.raises(ValueError, match="0 to 16 hidden layers, got 17"):
        params.validate(hidden_layer_sizes=[1] * 17)


def test_the_memory_estimate_counts_parameters_batch_and_scoring_chunk():
    from nn_impl.params import PREDICT_ROWS, estimated_memory

    sizes = [784, 32, 10]
    n_parameters = 784 * 32 + 32 + 32 * 10 + 10
    scoring = PREDICT_ROWS * (784 + 32 + 10)  # the forward pass keeps every layer's output
    assert estimated_memory(sizes) == 4 * (n_parameters + scoring)
    drawn = 8 * 784 * 32  # the largest weight matrix, drawn in float64
    assert estimated_memory(sizes, 64) == 4 * (5 * n_parameters + 64 * (784 + 2 * 42) + scoring) + drawn
    assert estimated_memory(sizes, 64, "float64") == 2 * estimated_memory(sizes, 64) - drawn


def test_the_tab_limit_refuses_with_the_estimate_and_keeps_the_defaults():
    from nn_impl.params import DEFAULTS, TAB_MEMORY_BYTES, check_fits_in_tab, estimated_memory

    check_fits_in_tab([784, *DEFAULTS["hidden_layer_sizes"], 10], DEFAULTS["batch_size"])
    check_fits_in_tab([784, 4096, 10], 32)  # the widest single layer the form allows fits
    need = estimated_memory([784] + [4096] * 3 + [10], 32)
    assert need > TAB_MEMORY_BYTES
    with pytest.raises(ValueError, match=f"needs about {round(need / 2**20)} MB"):
        check_fits_in_tab([784] + [4096] * 3 + [10], 32)
