"""Tests for utils.circuits: the repeated-sequence task of notebook 14 and its shipped model."""

import numpy as np
import pytest
import torch

from utils import circuits


def test_sequences_repeat_their_segment():
    sequences = circuits.make_repeated_sequences(50, seed=3)
    tokens = sequences.tokens.numpy()
    assert tokens.shape == (50, circuits.SEQ_LEN) and (tokens[:, 0] == circuits.BOS).all()
    for row, start, length in zip(tokens, sequences.second_start, sequences.segment_length,
                                  strict=True):
        assert start + length == circuits.SEQ_LEN
        assert (row[start:] == row[start - length:start]).all()
        assert len(set(row[1:start])) == start - 1, "prefix and first copy hold distinct tokens"


def test_predictable_marks_positions_whose_next_token_the_first_copy_fixes():
    sequences = circuits.make_repeated_sequences(20, seed=4)
    tokens = sequences.tokens.numpy()
    for i, p in zip(*np.nonzero(sequences.predictable), strict=True):
        length = sequences.segment_length[i]
        assert tokens[i, p + 1] == tokens[i, p + 1 - length]
    assert not sequences.predictable[:, -1].any()


def test_sequences_are_seeded_and_take_a_fixed_length():
    first = circuits.make_repeated_sequences(5, seed=9, segment_length=8)
    again = circuits.make_repeated_sequences(5, seed=9, segment_length=8)
    assert torch.equal(first.tokens, again.tokens)
    assert (first.segment_length == 8).all() and (first.second_start == 17).all()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n": 0}, ValueError, "n"),
    ({"n": 2.5}, TypeError, "n"),
    ({"n": 3, "seed": -1}, ValueError, "seed"),
    ({"n": 3, "segment_length": 3}, ValueError, "segment_length"),
    ({"n": 3, "segment_length": 13}, ValueError, "segment_length"),
])
def test_bad_sequence_arguments_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        circuits.make_repeated_sequences(**kwargs)


def test_shipped_model_solves_the_task():
    model = circuits.load_induction_model()
    sequences = circuits.make_repeated_sequences(100, seed=5)
    with torch.no_grad():
        predictions = model(sequences.tokens).argmax(-1)[:, :-1].numpy()
    hits = predictions == sequences.tokens[:, 1:].numpy()
    assert hits[sequences.predictable[:, :-1]].mean() > 0.99


def test_missing_model_file_names_the_training_script(tmp_path):
    with pytest.raises(FileNotFoundError, match="train_induction_model.py"):
        circuits.load_induction_model(tmp_path / "absent.pt")
    with pytest.raises(TypeError, match="path"):
        circuits.load_induction_model(3)
