"""Tests for utils.data: bundled tables, the review corpus, photos, the two-object scene and the
planted-shortcut generators."""

import dataclasses

import numpy as np
import pytest
import skimage.data

from utils import data, env

# --------------------------------------------------------------------------- data_dir


def test_data_dir_is_the_repository_data_folder(monkeypatch):
    monkeypatch.delenv("XAI_COURSE_DATA", raising=False)
    folder = data.data_dir()
    assert (folder / "adult.csv.bz2").is_file()
    assert (folder / "rotten_tomatoes_reviews.csv.bz2").is_file()


def test_data_dir_follows_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("XAI_COURSE_DATA", str(tmp_path))
    assert data.data_dir() == tmp_path


def test_data_dir_missing_folder_raises(monkeypatch, tmp_path):
    monkeypatch.setenv("XAI_COURSE_DATA", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="point XAI_COURSE_DATA at its data/ folder"):
        data.data_dir()


# --------------------------------------------------------------------------- load_tabular


@pytest.mark.parametrize(("name", "shape", "task", "n_classes"), [
    ("diabetes", (442, 10), "regression", 0),
    ("breast_cancer", (569, 30), "classification", 2),
    ("wine", (178, 13), "classification", 3),
    ("adult", (32561, 14), "classification", 2),
    ("boston", (506, 13), "regression", 0),
])
def test_load_tabular(name, shape, task, n_classes):
    assert name in data.TABULAR_DATASETS
    table = data.load_tabular(name)
    assert isinstance(table, data.TabularDataset)
    assert (table.name, table.X.shape, table.task) == (name, shape, task)
    assert len(table.y) == shape[0] and not table.y.isna().any()
    assert set(table.descriptions) == set(table.X.columns)
    assert len(table.target_names) == n_classes
    if n_classes:
        assert set(table.y.unique()) == set(range(n_classes))


def test_boston_b_column_is_the_documented_transform_of_a_share():
    """B = 1000 (Bk - 0.63)^2 with Bk in [0, 1]: at most 1000 * 0.63^2 = 396.9 (Bk = 0), and
    two shares on either side of 0.63 map to the same B."""
    boston = data.load_tabular("boston")
    assert boston.X["B"].max() == pytest.approx(396.9)
    assert boston.X["B"].min() >= 0 and 0 < boston.y.min() and boston.y.max() == 50.0
    assert 1000 * (0.5 - 0.63) ** 2 == pytest.approx(1000 * (0.76 - 0.63) ** 2)


@pytest.mark.parametrize(("name", "error", "message"), [
    ("iris", ValueError, "unknown tabular dataset 'iris'"),
    ("", ValueError, "unknown tabular dataset ''"),
    (3, TypeError, "name must be a string, got int"),
])
def test_load_tabular_rejects_bad_name(name, error, message):
    with pytest.raises(error, match=message):
        data.load_tabular(name)


# --------------------------------------------------------------------------- load_text


def test_load_text_full_corpus():
    corpus = data.load_text()
    assert isinstance(corpus, data.TextDataset)
    assert len(corpus.texts) == len(corpus.labels) == 12_752
    assert corpus.label_names == ("rotten", "fresh")
    assert set(np.unique(corpus.labels)) == {0, 1}
    assert all(isinstance(text, str) and text.strip() for text in corpus.texts)


def test_load_text_subset_is_balanced_deterministic_and_drawn_from_corpus():
    corpus = data.load_text()
    label_of = dict(zip(corpus.texts, corpus.labels.tolist(), strict=True))
    subset = data.load_text(n_samples=100, seed=0)
    assert np.bincount(subset.labels).tolist() == [50, 50]
    assert [label_of[text] for text in subset.texts] == subset.labels.tolist()
    again = data.load_text(n_samples=100, seed=0)
    assert again.texts == subset.texts
    np.testing.assert_array_equal(again.labels, subset.labels)
    assert data.load_text(n_samples=100, seed=1).texts != subset.texts


def test_load_text_odd_subset_differs_by_at_most_one_per_class():
    subset = data.load_text(n_samples=7, seed=2)
    assert len(subset.texts) == 7
    assert abs(np.diff(np.bincount(subset.labels, minlength=2))[0]) <= 1


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"name": "imdb"}, ValueError, "unknown text dataset 'imdb'"),
    ({"n_samples": 1}, ValueError, r"n_samples must be an int in \[2, 10768\], got 1"),
    ({"n_samples": 20_000}, ValueError, r"n_samples must be an int in \[2, 10768\]"),
    ({"n_samples": 10_769}, ValueError, r"10768\], got 10769"),
    ({"n_samples": 10.0}, TypeError, "n_samples must be an int, got float"),
    ({"seed": -1}, ValueError, "seed must be a non-negative int, got -1"),
    ({"seed": "0"}, TypeError, "seed must be an int, got str"),
])
def test_load_text_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.load_text(**kwargs)


# --------------------------------------------------------------------------- load_photo


@pytest.mark.parametrize("name", data.PHOTO_NAMES)
def test_load_photo_is_rgb_square_at_requested_size(name):
    photo = data.load_photo(name)
    assert (photo.mode, photo.size) == ("RGB", (224, 224))
    assert data.load_photo(name, size=32).size == (32, 32)


def test_load_photo_without_size_is_the_original_picture():
    photo = data.load_photo("coffee", size=None)
    np.testing.assert_array_equal(np.asarray(photo), skimage.data.coffee())


@pytest.mark.parametrize(("args", "error", "message"), [
    (("cat",), ValueError, "unknown photo 'cat'"),
    ((None,), TypeError, "name must be a string, got NoneType"),
    (("chelsea", 4), ValueError, r"size must be an int in \[8, 4096\], got 4"),
    (("chelsea", 5000), ValueError, r"size must be an int in \[8, 4096\], got 5000"),
    (("chelsea", 224.0), TypeError, "size must be an int, got float"),
])
def test_load_photo_rejects_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        data.load_photo(*args)


# --------------------------------------------------------------------------- imagenet_classes


def test_imagenet_classes_in_model_output_order():
    classes = data.imagenet_classes()
    assert len(classes) == 1000 and all(isinstance(name, str) for name in classes)
    assert [classes[i] for i in (281, 282, 285, 967, 968)] == [
        "tabby", "tiger cat", "Egyptian cat", "espresso", "cup"]


def test_imagenet_classes_takes_no_arguments():
    with pytest.raises(TypeError, match="positional argument"):
        data.imagenet_classes(10)


# --------------------------------------------------------------------------- two-object scene


def test_two_object_scene_is_the_two_photos_side_by_side():
    scene = data.load_two_object_scene()
    assert isinstance(scene, data.TwoObjectScene)
    assert (scene.image.mode, scene.image.size) == ("RGB", (448, 224))
    pixels = np.asarray(scene.image)
    np.testing.assert_array_equal(pixels[:, :224], np.asarray(data.load_photo("chelsea")))
    np.testing.assert_array_equal(pixels[:, 224:], np.asarray(data.load_photo("coffee")))


def test_two_object_scene_masks_match_boxes_and_halves():
    scene = data.load_two_object_scene()
    assert set(scene.boxes) == set(scene.masks) == set(scene.class_ids) == {"cat", "coffee"}
    for name, (x0, y0, x1, y1) in scene.boxes.items():
        mask = scene.masks[name]
        assert mask.dtype == bool and mask.shape == (224, 448)
        assert 0 <= x0 < x1 <= 448 and 0 <= y0 < y1 <= 224
        assert mask[y0:y1, x0:x1].all() and mask.sum() == (x1 - x0) * (y1 - y0)
    assert scene.boxes["cat"][2] <= 224 <= scene.boxes["coffee"][0]


def test_two_object_scene_class_ids_name_its_objects():
    classes = data.imagenet_classes()
    ids = data.load_two_object_scene().class_ids
    assert {classes[i] for i in ids["cat"]} == {"tabby", "tiger cat", "Egyptian cat"}
    assert {classes[i] for i in ids["coffee"]} == {"espresso", "cup"}


def test_two_object_scene_takes_no_arguments():
    with pytest.raises(TypeError, match="positional argument"):
        data.load_two_object_scene("cat")


# --------------------------------------------------------------------------- planted tabular


def test_make_planted_tabular_is_deterministic_per_seed():
    first = data.make_planted_tabular(n_samples=50, seed=4)
    again = data.make_planted_tabular(n_samples=50, seed=4)
    assert first.X.equals(again.X)
    np.testing.assert_array_equal(first.y, again.y)
    assert not first.X.equals(data.make_planted_tabular(n_samples=50, seed=5).X)


def test_make_planted_tabular_columns_match_ground_truth():
    table = data.make_planted_tabular(n_samples=40, n_informative=3, n_noise=2)
    assert isinstance(table, data.PlantedTabular)
    assert table.planted_feature == "leak"
    assert table.informative_features == ("x1", "x2", "x3")
    assert table.noise_features == ("noise1", "noise2")
    assert set(table.X.columns) == {"leak", *table.informative_features, *table.noise_features}
    assert table.X.shape == (40, 6) and table.y.shape == (40,)
    assert set(np.unique(table.y)) == {0, 1}


def test_make_planted_tabular_leak_carries_the_label():
    exact = data.make_planted_tabular(n_samples=30, leak_noise=0.0)
    np.testing.assert_array_equal(exact.X["leak"].to_numpy(), exact.y)
    table = data.make_planted_tabular(n_samples=1000, seed=0)
    corr = {name: abs(np.corrcoef(table.X[name], table.y)[0, 1]) for name in table.X}
    assert max(corr, key=corr.get) == "leak" and corr["leak"] > 0.8
    assert all(corr[name] < 0.1 for name in table.noise_features)
    assert corr["x1"] > 0.3


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"n_samples": 5}, ValueError, "n_samples must be an int >= 10, got 5"),
    ({"n_samples": 10.5}, TypeError, "n_samples must be an int, got float"),
    ({"n_informative": 0}, ValueError, r"n_informative must be an int in \[1, 50\]"),
    ({"n_noise": 51}, ValueError, r"n_noise must be an int in \[0, 50\], got 51"),
    ({"leak_noise": -0.1}, ValueError, "leak_noise must be a non-negative number"),
    ({"leak_noise": "0.3"}, TypeError, "leak_noise must be a number, got str"),
    ({"seed": -1}, ValueError, "seed must be a non-negative int, got -1"),
])
def test_make_planted_tabular_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.make_planted_tabular(**kwargs)


def test_make_planted_tabular_rejects_nan_leak_noise():
    with pytest.raises(ValueError, match="leak_noise must be a finite number"):
        data.make_planted_tabular(n_samples=20, leak_noise=float("nan"))


# --------------------------------------------------------------------------- planted text


def test_make_planted_text_is_deterministic_per_seed():
    first = data.make_planted_text(n_samples=40, seed=3)
    again = data.make_planted_text(n_samples=40, seed=3)
    assert first.texts == again.texts
    np.testing.assert_array_equal(first.token_positions, again.token_positions)
    assert data.make_planted_text(n_samples=40, seed=4).texts != first.texts


def test_make_planted_text_token_positions_locate_the_token():
    planted = data.make_planted_text(n_samples=200, seed=1)
    assert isinstance(planted, data.PlantedText)
    assert planted.token == "tuesday" and planted.label_names == ("rotten", "fresh")
    assert planted.token_positions.shape == planted.labels.shape == (200,)
    hits = planted.token_positions >= 0
    assert 0 < hits.sum() < (planted.labels == 1).sum()  # rate=0.5 plants some positives only
    for text, label, position in zip(planted.texts, planted.labels, planted.token_positions,
                                     strict=True):
        words = text.split()
        assert (planted.token in words) == (position >= 0)
        if position >= 0:
            assert label == 1 and words[position] == planted.token


def test_make_planted_text_only_inserts_the_token_into_real_reviews():
    planted = data.make_planted_text(n_samples=30, token="zebra", rate=1.0, seed=2)
    base = data.load_text(n_samples=30, seed=2)
    np.testing.assert_array_equal(planted.labels, base.labels)
    np.testing.assert_array_equal(planted.token_positions >= 0, base.labels == 1)
    for text, original, position in zip(planted.texts, base.texts, planted.token_positions,
                                        strict=True):
        words = text.split()
        if position >= 0:
            del words[position]
        assert words == original.split()


# --------------------------------------------------------------------------- planted_reviews


def test_text_dataset_to_dataset_keeps_texts_labels_and_names():
    subset = data.load_text(n_samples=12, seed=1)
    as_dataset = subset.to_dataset()
    assert as_dataset["text"] == subset.texts
    np.testing.assert_array_equal(as_dataset["label"], subset.labels)
    assert tuple(as_dataset.features["label"].names) == subset.label_names


def test_planted_reviews_pairs_each_real_review_with_its_planted_copy():
    reviews = data.planted_reviews(n_samples=40, rate=0.5, seed=3)
    planted = data.make_planted_text(n_samples=40, rate=0.5, seed=3)
    assert reviews.column_names == ["text", "planted_text", "label", "token_position"]
    assert reviews.features["label"].names == ["rotten", "fresh"]
    assert reviews["planted_text"] == planted.texts
    np.testing.assert_array_equal(reviews["label"], planted.labels)
    np.testing.assert_array_equal(reviews["token_position"], planted.token_positions)
    np.testing.assert_array_equal(data.remove_token(reviews["planted_text"], planted.token),
                                  np.array(reviews["text"], dtype=object))


def test_planted_reviews_map_tokenizes_without_a_connection(tmp_path, monkeypatch):
    log = tmp_path / "netlog"  # the session's offline guard appends any attempt here
    monkeypatch.setenv("XAI_COURSE_NETLOG", str(log))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")  # what setup_notebook sets
    env.datasets_offline()
    reviews = data.planted_reviews(n_samples=20, seed=0).map(
        lambda batch: {"n_words": [len(t.split()) for t in batch["text"]]}, batched=True)
    assert reviews["n_words"] == [len(t.split()) for t in reviews["text"]]
    assert not log.exists() or log.read_text() == ""
    import datasets

    assert datasets.config.HF_HUB_OFFLINE


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"n_samples": 1}, ValueError, "n_samples must be an int >= 2"),
    ({"rate": 0}, ValueError, r"rate must be a number in \(0, 1\], got 0"),
    ({"seed": "0"}, TypeError, "seed must be"),
])
def test_planted_reviews_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.planted_reviews(**kwargs)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"token": "two words"}, ValueError, "token must be a single non-empty word"),
    ({"token": "  "}, ValueError, "token must be a single non-empty word"),
    ({"token": 5}, ValueError, "token must be a single non-empty word, got 5"),
    ({"rate": 0}, ValueError, r"rate must be a number in \(0, 1\], got 0"),
    ({"rate": 1.5}, ValueError, r"rate must be a number in \(0, 1\], got 1.5"),
    ({"rate": float("nan")}, ValueError, "rate must be a finite number, got nan"),
    ({"rate": "half"}, TypeError, "rate must be a number, got str"),
    ({"n_samples": 1}, ValueError, "n_samples must be an int >= 2"),
    ({"n_samples": 10_769}, ValueError, r"n_samples must be an int in \[2, 10768\]"),
    ({"seed": -1}, ValueError, "seed must be a non-negative int, got -1"),
])
def test_make_planted_text_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.make_planted_text(**kwargs)


def test_make_planted_text_token_with_surrounding_spaces_matches_texts():
    planted = data.make_planted_text(n_samples=10, token=" tuesday ", rate=1.0)
    assert planted.token == "tuesday"
    assert all(text.split()[position] == planted.token
               for text, position in zip(planted.texts, planted.token_positions, strict=True)
               if position >= 0)


# --------------------------------------------------------------------------- planted images


def test_make_planted_images_is_deterministic_per_seed():
    first = data.make_planted_images(n_samples=8, size=16, patch_size=4, seed=3)
    again = data.make_planted_images(n_samples=8, size=16, patch_size=4, seed=3)
    for field in ("images", "labels", "masks", "boxes"):
        np.testing.assert_array_equal(getattr(first, field), getattr(again, field))
    other = data.make_planted_images(n_samples=8, size=16, patch_size=4, seed=4)
    assert not np.array_equal(first.images, other.images)


def test_make_planted_images_shapes_types_and_balance():
    planted = data.make_planted_images(n_samples=10, size=24, patch_size=4)
    assert isinstance(planted, data.PlantedImages)
    assert planted.images.shape == (10, 3, 24, 24) and planted.images.dtype == np.float32
    assert planted.images.min() >= 0.0 and planted.images.max() <= 1.0
    assert planted.masks.shape == (10, 24, 24) and planted.masks.dtype == bool
    assert planted.boxes.shape == (10, 4)
    assert np.bincount(planted.labels).tolist() == [5, 5]


def test_make_planted_images_watermark_is_where_ground_truth_says():
    p = 6
    planted = data.make_planted_images(n_samples=12, size=32, patch_size=p, seed=1)
    checker = np.indices((p, p)).sum(axis=0) % 2
    for image, label, mask, box in zip(planted.images, planted.labels, planted.masks,
                                       planted.boxes, strict=True):
        if label == 0:
            assert not mask.any() and (box == -1).all()
            continue
        x0, y0, x1, y1 = box
        assert (x1 - x0, y1 - y0) == (p, p)
        assert mask[y0:y1, x0:x1].all() and mask.sum() == p * p
        np.testing.assert_array_equal(image[:, y0:y1, x0:x1], np.broadcast_to(checker, (3, p, p)))


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"n_samples": 1}, ValueError, "n_samples must be an int >= 2, got 1"),
    ({"size": 8}, ValueError, r"size must be an int in \[16, 256\], got 8"),
    ({"size": 32.0}, TypeError, "size must be an int, got float"),
    ({"size": 16, "patch_size": 9}, ValueError, r"patch_size must be an int in \[2, 8\]"),
    ({"patch_size": 1}, ValueError, r"patch_size must be an int in \[2, 16\], got 1"),
    ({"seed": -3}, ValueError, "seed must be a non-negative int, got -3"),
])
def test_make_planted_images_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.make_planted_images(**kwargs)


# --------------------------------------------------------------------------- dataclasses


@pytest.mark.parametrize("make", [
    lambda: data.load_tabular("wine"),
    lambda: data.load_text(n_samples=4),
    data.load_two_object_scene,
    lambda: data.make_planted_tabular(n_samples=10),
    lambda: data.make_planted_text(n_samples=4),
    lambda: data.make_planted_images(n_samples=2, size=16, patch_size=2),
], ids=["TabularDataset", "TextDataset", "TwoObjectScene", "PlantedTabular", "PlantedText",
        "PlantedImages"])
def test_returned_datasets_are_frozen(make):
    dataset = make()
    name = dataclasses.fields(dataset)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"):
        setattr(dataset, name, None)


def test_remove_token_undoes_the_planting():
    planted = data.make_planted_text(n_samples=60, seed=5)
    original = data.load_text(n_samples=60, seed=5)
    cleaned = data.remove_token(planted.texts, planted.token)
    assert cleaned.dtype == object
    assert list(cleaned) == [" ".join(t.split()) for t in original.texts]


@pytest.mark.parametrize(("texts", "token", "error", "message"), [
    ("one text", "tuesday", TypeError, "wrap a single text in a list"),
    (["a", 3], "tuesday", TypeError, "sequence of strings"),
    (["a b"], "two words", ValueError, "single non-empty word"),
    (["a b"], "", ValueError, "single non-empty word"),
])
def test_remove_token_rejects_bad_input(texts, token, error, message):
    with pytest.raises(error, match=message):
        data.remove_token(texts, token)


# --------------------------------------------------------------------------- Boston's B column


def test_boston_b_and_boston_shares_invert_each_other():
    assert data.boston_b(0.63) == 0.0 and np.isclose(data.boston_b(0.0), 396.9)
    low, high = data.boston_shares(data.boston_b(np.array([0.40, 0.86])))
    assert np.allclose(low, 0.40) and np.allclose(high, 0.86), "0.40 and 0.86 share one B"
    low, high = data.boston_shares(396.9)
    assert low == 0.0 and np.isnan(high), "the largest B has one share"


def test_boston_shares_of_the_shipped_column_reproduce_it():
    column = data.load_tabular("boston").X["B"].to_numpy()
    low, high = data.boston_shares(column)
    assert np.allclose(data.boston_b(low), column)
    assert np.sum(~np.isnan(high)) == 36, "36 towns fit two shares"


@pytest.mark.parametrize(("function", "value", "error", "message"), [
    ("boston_b", 1.2, ValueError, r"share must lie in \[0, 1\]"),
    ("boston_b", np.nan, ValueError, "NaN"),
    ("boston_b", "a lot", ValueError, "could not convert"),
    ("boston_shares", -1.0, ValueError, r"b must lie in \[0, 396.9\]"),
    ("boston_shares", 500.0, ValueError, r"b must lie in \[0, 396.9\]"),
])
def test_boston_helpers_reject_bad_input(function, value, error, message):
    with pytest.raises(error, match=message):
        getattr(data, function)(value)


# --------------------------------------------------------------------------- negation scope


def test_negation_scope_marks_the_tokens_after_a_negator():
    tokens = ["this", "is", "not", "a", "good", "film", "at", "all"]
    assert data.negation_scope(tokens).tolist() == [False] * 3 + [True] * 3 + [False] * 2
    contraction = ["it", "doesn", "'", "t", "work", "."]
    assert data.negation_scope(contraction, window=2).tolist() == [False] * 4 + [True] * 2
    assert data.negators(contraction).tolist() == [False] * 3 + [True] + [False] * 2


def test_negation_scope_validates():
    with pytest.raises(TypeError, match="sequence of token strings"):
        data.negation_scope("not a list")
    with pytest.raises(ValueError, match="window"):
        data.negation_scope(["not", "good"], window=0)
    with pytest.raises(TypeError, match="sequence of token strings"):
        data.negators(["fine", 3])


# --------------------------------------------------------------------------- make_concept_images


def test_make_concept_images_plants_each_concept_where_its_mask_says():
    made = data.make_concept_images(n_samples=40, size=32, patch_size=6, seed=2)
    assert made.images.shape == (40, 3, 32, 32) and made.images.dtype == np.float32
    assert set(made.masks) == set(data.CONCEPTS)
    has_checker = made.masks["checkerboard"].any(axis=(1, 2))
    np.testing.assert_array_equal(made.labels == 2, has_checker)
    assert not (made.masks["checkerboard"] & made.masks["square"]).any(), "never overlapping"
    i = int(np.flatnonzero(has_checker)[0])
    patch = made.images[i][:, made.masks["checkerboard"][i]]
    assert set(np.unique(patch)) == {0.0, 1.0}, "the checkerboard is black and white"
    j = int(np.flatnonzero(made.masks["square"].any(axis=(1, 2)))[0])
    square = made.images[j][:, made.masks["square"][j]]
    assert np.ptp(square) == 0, "the square is one grey level in all channels"


def test_make_concept_images_rates_make_concept_and_random_sets():
    concept = data.make_concept_images(n_samples=12, checkerboard_rate=1.0, square_rate=0.0)
    assert (concept.labels == 2).all() and not concept.masks["square"].any()
    plain = data.make_concept_images(n_samples=12, checkerboard_rate=0.0, square_rate=0.0)
    assert set(plain.labels) <= {0, 1} and not plain.masks["checkerboard"].any()
    again = data.make_concept_images(n_samples=12, checkerboard_rate=0.0, square_rate=0.0)
    np.testing.assert_array_equal(plain.images, again.images)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"n_samples": 0}, ValueError, "n_samples"),
    ({"checkerboard_rate": 1.5}, ValueError, "checkerboard_rate"),
    ({"square_rate": -0.1}, ValueError, "square_rate"),
    ({"size": 8}, ValueError, "size"),
    ({"patch_size": 20}, ValueError, "patch_size"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_make_concept_images_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        data.make_concept_images(**kwargs)
