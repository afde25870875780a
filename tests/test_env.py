"""Tests for utils.env: seeding, thread counts, device choice, Colab detection, notebook set-up."""

import json
import os
import random
import sys
import types

import matplotlib as mpl
import numpy as np
import pytest
import torch

from utils import env


@pytest.fixture(autouse=True)
def _restore_runtime(monkeypatch):
    """Undo what the functions change globally: torch's thread count, rcParams, PYTHONHASHSEED."""
    threads = torch.get_num_threads()
    monkeypatch.setenv("PYTHONHASHSEED", "0")  # records the original value (or its absence)
    with mpl.rc_context():
        yield
    torch.set_num_threads(threads)


def _draws() -> tuple:
    return random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist()


# --------------------------------------------------------------------------- in_colab


def test_in_colab_false_without_colab_module(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert env.in_colab() is False


def test_in_colab_true_when_colab_module_is_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    assert env.in_colab() is True


def test_in_colab_takes_no_arguments():
    with pytest.raises(TypeError, match="positional argument"):
        env.in_colab("colab")


# --------------------------------------------------------------------------- seed_everything


def test_seed_everything_repeats_python_numpy_and_torch_draws():
    assert env.seed_everything(7) == 7
    first = _draws()
    env.seed_everything(7)
    assert _draws() == first
    env.seed_everything(8)
    assert _draws() != first
    assert os.environ["PYTHONHASHSEED"] == "8"


def test_seed_everything_accepts_numpy_integers():
    seed = env.seed_everything(np.int64(3))
    assert seed == 3 and type(seed) is int


@pytest.mark.parametrize(("seed", "error", "message"), [
    (-1, ValueError, r"seed must be an int in \[0, 4294967295\], got -1"),
    (2**32, ValueError, r"seed must be an int in \[0, 4294967295\]"),
    (1.5, TypeError, "seed must be an int, got float"),
    (True, TypeError, "seed must be an int, got bool"),
    ("0", TypeError, "seed must be an int, got str"),
])
def test_seed_everything_rejects_bad_seed(seed, error, message):
    with pytest.raises(error, match=message):
        env.seed_everything(seed)


# --------------------------------------------------------------------------- set_threads


def test_set_threads_sets_torch_thread_count():
    assert env.set_threads(1) == 1
    assert torch.get_num_threads() == 1


def test_set_threads_reads_environment_variable(monkeypatch):
    monkeypatch.setenv("XAI_COURSE_THREADS", "1")
    assert env.set_threads() == 1
    assert torch.get_num_threads() == 1


def test_set_threads_default_uses_at_most_four_cores(monkeypatch):
    monkeypatch.delenv("XAI_COURSE_THREADS", raising=False)
    assert env.set_threads() == min(4, os.cpu_count() or 1)


@pytest.mark.parametrize(("n", "error", "message"), [
    (0, ValueError, r"\(argument n or XAI_COURSE_THREADS\) must be a positive int, got 0"),
    (-2, ValueError, "must be a positive int, got -2"),
    (2.0, TypeError, r"\(argument n or XAI_COURSE_THREADS\) must be an int, got float"),
    (True, TypeError, r"\(argument n or XAI_COURSE_THREADS\) must be an int, got bool"),
])
def test_set_threads_rejects_bad_count(n, error, message):
    with pytest.raises(error, match=message):
        env.set_threads(n)


def test_set_threads_rejects_non_integer_environment_variable(monkeypatch):
    monkeypatch.setenv("XAI_COURSE_THREADS", "two")
    with pytest.raises(ValueError, match="XAI_COURSE_THREADS must be an integer, got 'two'"):
        env.set_threads()


# --------------------------------------------------------------------------- get_device


def test_get_device_cpu():
    assert env.get_device("cpu") == torch.device("cpu")


def test_get_device_auto_prefers_cuda_then_mps_then_cpu():
    expected = ("cuda" if torch.cuda.is_available()
                else "mps" if torch.backends.mps.is_available() else "cpu")
    assert env.get_device().type == expected


@pytest.mark.parametrize("prefer", ["gpu", "CPU"])
def test_get_device_rejects_unknown_name(prefer):
    with pytest.raises(ValueError, match="prefer must be one of"):
        env.get_device(prefer)


def test_get_device_rejects_a_non_string():
    with pytest.raises(TypeError, match="prefer must be a string, got NoneType"):
        env.get_device(None)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is present")
def test_get_device_cuda_without_gpu_raises():
    with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
        env.get_device("cuda")


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="Apple MPS is present")
def test_get_device_mps_without_mps_raises():
    with pytest.raises(RuntimeError, match="MPS backend is not available"):
        env.get_device("mps")


# --------------------------------------------------------------------------- setup_notebook


def test_setup_notebook_seeds_fixes_threads_styles_and_reports(capsys):
    device = env.setup_notebook(seed=3, threads=1, device="cpu")
    after_setup = _draws()
    assert device == torch.device("cpu")
    assert torch.get_num_threads() == 1
    assert mpl.rcParams["axes.titleweight"] == "bold"
    out = capsys.readouterr().out
    assert "seed=3 | threads=1 | device=cpu" in out
    assert f"torch {torch.__version__}" in out
    env.seed_everything(3)
    assert _draws() == after_setup


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"device": "tpu"}, ValueError, "prefer must be one of"),
    ({"seed": -1}, ValueError, r"seed must be an int in \[0, 4294967295\]"),
    ({"threads": 0}, ValueError, "thread count .* must be a positive int"),
    ({"threads": "4"}, TypeError,
     r"thread count \(argument n or XAI_COURSE_THREADS\) must be an int, got str"),
])
def test_setup_notebook_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        env.setup_notebook(**kwargs)


def test_record_throughput_prints_and_logs(tmp_path, monkeypatch, capsys):
    log = tmp_path / "bench.jsonl"
    monkeypatch.setenv("XAI_COURSE_BENCH_LOG", str(log))
    assert env.record_throughput("LIME image", 200, 4.0) == 50.0
    assert "200 model evaluations in 4.00 s (50 per second)" in capsys.readouterr().out
    assert json.loads(log.read_text()) == {"method": "LIME image", "evaluations": 200,
                                           "seconds": 4.0}


def test_record_throughput_measures_the_bare_model_under_the_bench(tmp_path, monkeypatch,
                                                                  capsys):
    log = tmp_path / "bench.jsonl"
    monkeypatch.setenv("XAI_COURSE_BENCH_LOG", str(log))
    model = torch.nn.Linear(3, 2)
    env.record_throughput("occlusion", 100, 1.0, forward=model, example=torch.zeros(3))
    record = json.loads(log.read_text())
    assert record["floor"] > 0 and record["floor_batch"] in env.FLOOR_BATCH_SIZES
    assert record["floor_seconds"] > 0
    assert "the method runs at" in capsys.readouterr().out


def test_record_throughput_needs_forward_and_example_together():
    with pytest.raises(ValueError, match="pass forward and example together"):
        env.record_throughput("m", 10, 1.0, forward=lambda batch: batch)
    with pytest.raises(TypeError, match="forward must be a callable"):
        env.record_throughput("m", 10, 1.0, forward=3, example=np.zeros(2))


def test_record_throughput_without_bench_log_only_prints(monkeypatch, capsys):
    monkeypatch.delenv("XAI_COURSE_BENCH_LOG", raising=False)
    assert env.record_throughput("SHAP", 10, 2) == 5.0
    assert "SHAP" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "error", "message"), [
    (("", 10, 1.0), ValueError, "method must be a non-empty string"),
    (("m", 1.5, 1.0), TypeError, "evaluations must be an int"),
    (("m", 0, 1.0), ValueError, "evaluations must be a positive int"),
    (("m", 10, 0.0), ValueError, "seconds must be a positive number"),
    (("m", 10, float("nan")), ValueError, "seconds must be a finite number, got nan"),
])
def test_record_throughput_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        env.record_throughput(*args)


# --------------------------------------------------------------------------- forward floor


@pytest.mark.parametrize("example", [torch.zeros(2, 4, 4), np.zeros((4, 4, 3)), "a review"])
def test_measure_forward_rate_batches_copies_of_one_input(example):
    seen = []

    def forward(batch):
        seen.append(len(batch))
        return batch

    rate, batch = env.measure_forward_rate(forward, example, batch_sizes=(1, 4), min_seconds=0.01)
    assert rate > 0 and batch in (1, 4)
    assert set(seen) == {1, 4}, "a warm-up call, then each batch size"


def test_measure_forward_rate_stops_past_the_best_batch():
    import time

    tried = []

    def slower_with_size(batch):
        tried.append(len(batch))
        time.sleep(0.002 * len(batch) ** 2)  # the rate falls as the batch grows

    _, batch = env.measure_forward_rate(slower_with_size, "x", batch_sizes=(1, 2, 4, 8, 16),
                                        min_seconds=0.01)
    assert batch == 1 and 16 not in tried


def test_measure_forward_rate_times_the_best_batch_again():
    """After the scan, the best batch is timed again for three times ``min_seconds``, and that
    rate (never above the model's true rate) is the one returned."""
    import time

    def forward(batch):
        time.sleep(0.001 * len(batch))  # at most 1,000 inputs per second

    start = time.perf_counter()
    rate, batch = env.measure_forward_rate(forward, "x", batch_sizes=(4,), min_seconds=0.02)
    assert time.perf_counter() - start >= 0.02 + 3 * 0.02
    assert batch == 4 and 0 < rate <= 1000


def test_measure_forward_rate_runs_a_module_without_gradients():
    model = torch.nn.Linear(3, 1)
    grad_mode = []
    env.measure_forward_rate(lambda b: grad_mode.append(torch.is_grad_enabled()) or model(b),
                             torch.zeros(3), batch_sizes=(2,), min_seconds=0.01)
    assert not any(grad_mode)


@pytest.mark.parametrize(("args", "error", "message"), [
    ((3, "x"), TypeError, "forward must be a callable"),
    ((len, 5), TypeError, "example must be one input"),
    ((len, "x", ()), ValueError, "batch_sizes is empty"),
    ((len, "x", (0, 2)), ValueError, "each of batch_sizes must be a positive int, got 0"),
    ((len, "x", (1,), 0), ValueError, "min_seconds must be a positive number, got 0"),
])
def test_measure_forward_rate_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        env.measure_forward_rate(*args)


# --------------------------------------------------------------------------- Colab summary


def test_colab_install_summary_names_the_pinned_libraries_and_the_kept_ones():
    line = env.colab_install_summary()
    assert line.startswith("installed for the course: captum ")
    assert "shap " in line and "kept the runtime's torch " in line and "\n" not in line


@pytest.mark.parametrize(("name", "message"), [
    ("", "distribution must be a non-empty string"),
    ("no-such-distribution-xyz", "is not installed"),
    ("numpy", "has no 'colab' extra"),
])
def test_colab_install_summary_rejects_bad_input(name, message):
    with pytest.raises(ValueError, match=message):
        env.colab_install_summary(name)


def test_counting_model_counts_inputs_and_time():
    counted = env.CountingModel(lambda batch: np.asarray(batch) * 2)
    assert counted.calls == 0 and counted.seconds == 0.0
    np.testing.assert_array_equal(counted([1, 2, 3]), [2, 4, 6])
    counted(np.zeros((4, 2)))
    assert counted.calls == 7 and counted.seconds > 0


def test_counting_model_rejects_a_non_callable():
    with pytest.raises(TypeError, match="callable"):
        env.CountingModel("predict")


def test_progress_yields_every_item_and_is_silent_when_disabled(monkeypatch, capsys):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert list(env.progress(range(5), "counting")) == [0, 1, 2, 3, 4]
    assert capsys.readouterr().err == ""


def test_progress_draws_a_bar_when_enabled(monkeypatch, capsys):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert list(env.progress(iter("abc"), "letters", total=3)) == ["a", "b", "c"]
    assert "letters" in capsys.readouterr().err


@pytest.mark.parametrize("args, error, message", [
    ((5, "x"), TypeError, "iterable"),
    ((range(2), ""), ValueError, "description"),
    ((range(2), "x", 0), ValueError, "total"),
    ((range(2), "x", True), TypeError, "total must be an int, got bool"),
])
def test_progress_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        env.progress(*args)


# --------------------------------------------------------------------------- shap warm-up


@pytest.mark.parametrize(("outputs", "dtype", "layout"), [(1, "float64", "C"), (2, "float32", "C")])
def test_warm_up_shap_compiles_the_helpers_for_that_output_type(outputs, dtype, layout):
    from shap.utils import _masked_model as masked_model

    env.warm_up_shap(outputs, dtype)
    helper = (masked_model._build_fixed_single_output if outputs == 1
              else masked_model._build_fixed_multi_output)
    compiled = [(str(sig[2].dtype), sig[2].layout) for sig in helper.signatures]
    assert (dtype, layout) in compiled


@pytest.mark.parametrize(("args", "error", "message"), [
    ((0,), ValueError, "outputs must be"),
    ((1.5,), TypeError, "outputs must be an int"),
    ((1, "float16"), ValueError, "dtype must be one of"),
])
def test_warm_up_shap_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        env.warm_up_shap(*args)


def test_datasets_offline_sets_the_switch_unless_the_user_chose(monkeypatch):
    monkeypatch.setattr(os, "environ", {})  # a private environment for this test
    env.datasets_offline()
    assert os.environ["HF_DATASETS_OFFLINE"] == "1"
    assert os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] == "1"
    monkeypatch.setattr(os, "environ", {"HF_DATASETS_OFFLINE": "0"})
    env.datasets_offline()
    assert os.environ["HF_DATASETS_OFFLINE"] == "0"
    import datasets

    assert datasets.config.HF_HUB_OFFLINE is False
    monkeypatch.setattr(os, "environ", {})
    env.datasets_offline()
    assert datasets.config.HF_HUB_OFFLINE is True
