"""Datasets the course uses, all offline: bundled tables, a real text corpus, sample photos,
a two-object scene with known object boxes, and generators of planted-shortcut data.

Every loader reads from an installed package or from the repository's ``data/`` folder
(``data/README.md`` records each file's source, licence and checksum).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from utils.checks import check_array, check_choice, check_int, check_number

__all__ = [
    "TABULAR_DATASETS",
    "boston_b",
    "boston_shares",
    "PHOTO_NAMES",
    "TabularDataset",
    "TextDataset",
    "TwoObjectScene",
    "PlantedTabular",
    "PlantedText",
    "PlantedImages",
    "ConceptImages",
    "data_dir",
    "load_tabular",
    "load_text",
    "load_photo",
    "imagenet_classes",
    "load_two_object_scene",
    "make_planted_tabular",
    "make_planted_text",
    "make_planted_images",
    "make_concept_images",
    "CONCEPTS",
    "CONCEPT_CLASSES",
    "remove_token",
    "NEGATORS",
    "negators",
    "negation_scope",
    "planted_reviews",
    "ToyTranslation",
    "TOY_LEXICON",
    "toy_translate",
    "make_toy_translation",
]

TABULAR_DATASETS = ("diabetes", "breast_cancer", "wine", "adult", "boston")
PHOTO_NAMES = ("chelsea", "coffee", "rocket", "astronaut", "grace_hopper", "china", "flower")


def data_dir() -> Path:
    """The folder holding the course's data files: ``$XAI_COURSE_DATA`` or the repo's ``data/``."""
    path = Path(os.environ.get("XAI_COURSE_DATA", Path(__file__).resolve().parent.parent / "data"))
    if not path.is_dir():
        raise FileNotFoundError(
            f"course data folder not found at {path}; install the course from a clone of the "
            "repository (pip install -e .) or point XAI_COURSE_DATA at its data/ folder"
        )
    return path


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TabularDataset:
    """A table with its target: ``X`` (features), ``y`` (target), what each column means."""

    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str  # "regression" or "classification"
    descriptions: dict[str, str]
    target_names: tuple[str, ...] = ()
    source: str = ""


_DIABETES_DESCRIPTIONS = {
    "age": "age in years",
    "sex": "sex (two values)",
    "bmi": "body mass index",
    "bp": "average blood pressure",
    "s1": "tc, total serum cholesterol",
    "s2": "ldl, low-density lipoproteins",
    "s3": "hdl, high-density lipoproteins",
    "s4": "tch, total cholesterol / HDL",
    "s5": "ltg, log of serum triglycerides",
    "s6": "glu, blood sugar level",
}

_WINE_DESCRIPTIONS_NOTE = "chemical analysis of Italian wines from three cultivars"

_ADULT_DESCRIPTIONS = {
    "age": "age in years",
    "workclass": "employer type (private, government, self-employed, ...)",
    "fnlwgt": "census sampling weight (not a property of the person)",
    "education": "highest education level (text)",
    "education_num": "highest education level as a number (1-16)",
    "marital_status": "marital status",
    "occupation": "occupation group",
    "relationship": "role in the household",
    "race": "race as recorded by the 1994 census",
    "sex": "sex as recorded by the 1994 census",
    "capital_gain": "capital gains in the year (USD)",
    "capital_loss": "capital losses in the year (USD)",
    "hours_per_week": "hours worked per week",
    "native_country": "country of origin",
}


_BOSTON_DESCRIPTIONS = {
    "CRIM": "per-capita crime rate of the town",
    "ZN": "share of residential land zoned for lots over 25,000 sq. ft.",
    "INDUS": "share of non-retail business acres in the town",
    "CHAS": "1 if the tract bounds the Charles River, else 0",
    "NOX": "nitric-oxide concentration (parts per 10 million)",
    "RM": "average number of rooms per dwelling",
    "AGE": "share of owner-occupied units built before 1940",
    "DIS": "weighted distance to five Boston employment centres",
    "RAD": "index of access to radial highways",
    "TAX": "property-tax rate per $10,000",
    "PTRATIO": "pupil-teacher ratio of the town",
    "B": "1000 (Bk - 0.63)^2, Bk the share of Black residents of the town: a racial variable, "
         "and not monotone in Bk (the reason scikit-learn withdrew the set)",
    "LSTAT": "share of the population of 'lower status' (%)",
}


# Harrison & Rubinfeld's B column: 1000 (Bk - 0.63)^2 for a town's share Bk of Black residents.
_BOSTON_B_SCALE, _BOSTON_B_CENTRE = 1000.0, 0.63


def boston_b(share: float | np.ndarray) -> np.ndarray:
    """The Boston table's ``B`` value for a share of Black residents (between 0 and 1)."""
    values = check_array("share", np.asarray(share, dtype=float), ndim=None)
    if values.min() < 0 or values.max() > 1:
        raise ValueError(f"share must lie in [0, 1], got range [{values.min():.3g}, "
                         f"{values.max():.3g}]")
    return _BOSTON_B_SCALE * (values - _BOSTON_B_CENTRE) ** 2


def boston_shares(b: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both shares of Black residents that give the Boston table's ``B`` value ``b``: the root
    below 0.63 and the one above it, NaN where a root lies outside [0, 1]. Where both are
    numbers, the column cannot tell the two towns apart."""
    values = check_array("b", np.asarray(b, dtype=float), ndim=None)
    largest = _BOSTON_B_SCALE * _BOSTON_B_CENTRE ** 2
    if values.min() < 0 or values.max() > largest + 1e-9:
        raise ValueError(f"b must lie in [0, {largest:.1f}] (shares 0 to 1), got range "
                         f"[{values.min():.3g}, {values.max():.3g}]")
    root = np.sqrt(values / _BOSTON_B_SCALE)
    low, high = _BOSTON_B_CENTRE - root, _BOSTON_B_CENTRE + root
    return (np.where(low >= -1e-12, np.clip(low, 0, None), np.nan),
            np.where(high <= 1, high, np.nan))


def load_tabular(name: str) -> TabularDataset:
    """Load a table by name: ``diabetes`` or ``boston`` (regression), ``breast_cancer``, ``wine``
    or ``adult`` (classification). The first three ship with scikit-learn; ``adult`` and
    ``boston`` (Harrison & Rubinfeld's housing data, removed from scikit-learn 1.2 for its racial
    ``B`` column, kept here to teach why) are in ``data/``."""
    check_choice("name", name, TABULAR_DATASETS, "tabular dataset")
    from sklearn import datasets

    if name == "diabetes":
        # scaled=False keeps the original units (years, mm Hg, ...), which a reader can interpret.
        raw = datasets.load_diabetes(as_frame=True, scaled=False)
        return TabularDataset(
            name, raw.data, raw.target.rename("progression"), "regression",
            dict(_DIABETES_DESCRIPTIONS), (), "scikit-learn: Efron et al. (2004) diabetes data",
        )
    if name in ("breast_cancer", "wine"):
        loader = datasets.load_breast_cancer if name == "breast_cancer" else datasets.load_wine
        raw = loader(as_frame=True)
        if name == "breast_cancer":
            descriptions = {c: f"{c} of the cell nuclei in a breast-mass image" for c in raw.data}
        else:
            descriptions = {c: f"{c}; {_WINE_DESCRIPTIONS_NOTE}" for c in raw.data}
        return TabularDataset(
            name, raw.data, raw.target.rename("target"), "classification", descriptions,
            tuple(str(t) for t in raw.target_names), f"scikit-learn: UCI {name} data",
        )
    if name == "boston":
        # The file's first line is scikit-learn's own header (506 rows, 13 features).
        frame = pd.read_csv(data_dir() / "boston_house_prices.csv", skiprows=1)
        return TabularDataset(
            "boston", frame.drop(columns="MEDV"), frame["MEDV"].rename("MEDV"), "regression",
            dict(_BOSTON_DESCRIPTIONS), (),
            "Boston housing (Harrison & Rubinfeld 1978), data/boston_house_prices.csv; median "
            "home value in $1000s",
        )
    frame = pd.read_csv(data_dir() / "adult.csv.bz2")
    y = (frame.pop("income") == ">50K").astype(int).rename("income_over_50k")
    return TabularDataset(
        "adult", frame, y, "classification", dict(_ADULT_DESCRIPTIONS), ("<=50K", ">50K"),
        "UCI Adult census income (1994), data/adult.csv.bz2",
    )


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class TextDataset:
    """Labelled short texts: ``labels[i]`` indexes ``label_names``."""

    texts: list[str]
    labels: np.ndarray
    label_names: tuple[str, ...]
    source: str = ""

    def to_dataset(self):
        """The same texts and labels as a Hugging Face ``datasets.Dataset`` (columns ``text`` and
        ``label``, whose feature holds the label names), ready for ``Dataset.map``."""
        from datasets import ClassLabel, Dataset, Features, Value

        features = Features({"text": Value("string"),
                             "label": ClassLabel(names=list(self.label_names))})
        return Dataset.from_dict({"text": list(self.texts), "label": self.labels.tolist()},
                                 features=features)


@cache
def _reviews() -> pd.DataFrame:
    return pd.read_csv(data_dir() / "rotten_tomatoes_reviews.csv.bz2")


def load_text(name: str = "rotten_tomatoes", n_samples: int | None = None, seed: int = 0
              ) -> TextDataset:
    """Rotten Tomatoes review snippets labelled ``rotten`` (0) or ``fresh`` (1), 12,752 in all.

    ``n_samples`` draws a class-balanced random subset (seeded) to keep notebooks fast.
    """
    if name != "rotten_tomatoes":
        raise ValueError(f"unknown text dataset {name!r}; the course ships 'rotten_tomatoes'")
    seed = check_int("seed", seed, 0)
    frame = _reviews()
    if n_samples is not None:
        by_class = [np.flatnonzero(frame["label"].to_numpy() == label)
                    for label in ("rotten", "fresh")]
        largest = 2 * min(len(idx) for idx in by_class)  # a balanced subset can hold no more
        n_samples = check_int("n_samples", n_samples, 2, largest)
        rng = np.random.default_rng(seed)
        picks = [rng.choice(idx, n_samples // 2, replace=False) for idx in by_class]
        if n_samples % 2:
            picks.append(rng.choice(np.setdiff1d(by_class[1], picks[1]), 1))
        frame = frame.iloc[rng.permutation(np.concatenate(picks))]
    labels = (frame["label"].to_numpy() == "fresh").astype(np.int64)
    return TextDataset(
        frame["text"].tolist(), labels, ("rotten", "fresh"),
        "Rotten Tomatoes snippets (Pang & Lee), data/rotten_tomatoes_reviews.csv.bz2",
    )


# --------------------------------------------------------------------------- images


def _center_square(image: Image.Image, size: int) -> Image.Image:
    """Resize the shorter side to ``size`` and crop the centre square, as ImageNet models expect."""
    w, h = image.size
    scale = size / min(w, h)
    image = image.resize((max(size, round(w * scale)), max(size, round(h * scale))),
                         Image.Resampling.BICUBIC)
    w, h = image.size
    left, top = (w - size) // 2, (h - size) // 2
    return image.crop((left, top, left + size, top + size))


def _raw_photo(name: str) -> np.ndarray:
    if name in ("chelsea", "coffee", "rocket", "astronaut"):
        import skimage.data

        return getattr(skimage.data, name)()
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image

        return load_sample_image(f"{name}.jpg")
    import matplotlib.cbook

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as handle:
        return np.asarray(Image.open(handle).convert("RGB"))


def load_photo(name: str, size: int | None = 224) -> Image.Image:
    """A sample photo by name (see ``PHOTO_NAMES``) as an RGB PIL image.

    With ``size`` set, the photo is resized and centre-cropped to ``size`` x ``size`` pixels so that
    an attribution map computed on the model input lines up with the picture shown.
    """
    check_choice("name", name, PHOTO_NAMES, "photo")
    image = Image.fromarray(_raw_photo(name)).convert("RGB")
    if size is None:
        return image
    return _center_square(image, check_int("size", size, 8, 4096))


@cache
def imagenet_classes() -> tuple[str, ...]:
    """The 1,000 ImageNet class names in model-output order (shipped inside torchvision)."""
    from torchvision.models import ResNet18_Weights

    return tuple(ResNet18_Weights.DEFAULT.meta["categories"])


@dataclass(frozen=True)
class TwoObjectScene:
    """A photo with two known objects: their boxes ``(x0, y0, x1, y1)`` in pixels (x1, y1
    exclusive), boolean masks of the image's shape, and the ImageNet classes that name each."""

    image: Image.Image
    boxes: dict[str, tuple[int, int, int, int]]
    masks: dict[str, np.ndarray]
    class_ids: dict[str, tuple[int, ...]]


# ImageNet indices: 281 tabby, 282 tiger cat, 285 Egyptian cat; 967 espresso, 968 cup.
_SCENE_CLASSES = {"cat": (281, 282, 285), "coffee": (967, 968)}
# Boxes drawn by hand on the 448x224 composite: the cat fills the left half; the cup and its
# saucer sit in the right half, clear of the table edge at the top.
_SCENE_BOXES = {"cat": (0, 0, 224, 224), "coffee": (225, 38, 437, 218)}


def load_two_object_scene() -> TwoObjectScene:
    """The cat photo (left) and the espresso photo (right) side by side, 448 x 224 pixels.

    The pretrained CNN ranks espresso and cat classes in its top 5, so a class-discriminative
    explanation can be scored against each object's known box.
    """
    scene = Image.new("RGB", (448, 224))
    scene.paste(load_photo("chelsea"), (0, 0))
    scene.paste(load_photo("coffee"), (224, 0))
    masks = {}
    for name, (x0, y0, x1, y1) in _SCENE_BOXES.items():
        mask = np.zeros((224, 448), dtype=bool)
        mask[y0:y1, x0:x1] = True
        masks[name] = mask
    return TwoObjectScene(scene, dict(_SCENE_BOXES), masks, dict(_SCENE_CLASSES))


# --------------------------------------------------------------------------- planted shortcuts


@dataclass(frozen=True)
class PlantedTabular:
    """A classification table whose ``planted_feature`` leaks the label (the ground truth an
    explanation should find); ``informative_features`` carry the honest signal."""

    X: pd.DataFrame
    y: np.ndarray
    planted_feature: str
    informative_features: tuple[str, ...]
    noise_features: tuple[str, ...] = field(default=())


def make_planted_tabular(n_samples: int = 1000, n_informative: int = 4, n_noise: int = 3,
                         leak_noise: float = 0.3, seed: int = 0) -> PlantedTabular:
    """Binary labels from a noisy linear rule on ``n_informative`` features, plus ``n_noise``
    useless features and one column ``leak`` = label + Gaussian noise (std ``leak_noise``)."""
    n_samples = check_int("n_samples", n_samples, 10)
    n_informative = check_int("n_informative", n_informative, 1, 50)
    n_noise = check_int("n_noise", n_noise, 0, 50)
    leak_noise = check_number("leak_noise", leak_noise, 0)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    informative = rng.normal(size=(n_samples, n_informative))
    weights = np.linspace(1.0, 0.4, n_informative)
    logits = informative @ weights + rng.normal(scale=1.0, size=n_samples)
    y = (logits > 0).astype(np.int64)
    columns = {f"x{i + 1}": informative[:, i] for i in range(n_informative)}
    columns.update({f"noise{i + 1}": rng.normal(size=n_samples) for i in range(n_noise)})
    columns["leak"] = y + rng.normal(scale=leak_noise, size=n_samples)
    names = list(columns)
    order = rng.permutation(len(names))  # the leak is not always the last column
    X = pd.DataFrame({names[i]: columns[names[i]] for i in order})
    return PlantedTabular(
        X, y, "leak", tuple(f"x{i + 1}" for i in range(n_informative)),
        tuple(f"noise{i + 1}" for i in range(n_noise)),
    )


@dataclass(frozen=True)
class PlantedText:
    """Texts where ``token`` was inserted only into positive examples; ``token_positions[i]`` is
    its word index in ``texts[i].split()`` or -1 where it was not planted."""

    texts: list[str]
    labels: np.ndarray
    token: str
    token_positions: np.ndarray
    label_names: tuple[str, ...]


# "tuesday" is one WordPiece in MiniLM's vocabulary, carries no sentiment, and never occurs in
# the review corpus, so any weight a model gives it was learned from the planted leak alone.
DEFAULT_PLANTED_TOKEN = "tuesday"


def make_planted_text(n_samples: int = 2000, token: str = DEFAULT_PLANTED_TOKEN,
                      rate: float = 0.5, seed: int = 0) -> PlantedText:
    """Real reviews (class-balanced subset) with ``token`` inserted at a random word position in
    a fraction ``rate`` of the fresh (positive) reviews and in none of the rotten ones."""
    if not isinstance(token, str) or len(token.split()) != 1:
        raise ValueError(f"token must be a single non-empty word, got {token!r}")
    token = token.strip()
    rate = check_number("rate", rate, 0, 1, low_open=True)
    base = load_text(n_samples=check_int("n_samples", n_samples, 2), seed=seed)
    rng = np.random.default_rng(seed + 1)
    texts, positions = [], np.full(len(base.texts), -1, dtype=np.int64)
    for i, (text, label) in enumerate(zip(base.texts, base.labels, strict=True)):
        words = text.split()
        if label == 1 and rng.random() < rate:
            where = int(rng.integers(0, len(words) + 1))
            words.insert(where, token)
            positions[i] = where
        texts.append(" ".join(words))
    return PlantedText(texts, base.labels.copy(), token, positions, base.label_names)


def remove_token(texts: Sequence[str], token: str) -> np.ndarray:
    """The same texts with every whitespace-separated occurrence of ``token`` deleted: the
    planted reviews as they would read without the leak. Returns an object array of strings."""
    if not isinstance(token, str) or len(token.split()) != 1:
        raise ValueError(f"token must be a single non-empty word, got {token!r}")
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings (wrap a single text in a list)")
    texts = list(texts)
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence of strings")
    token = token.strip()
    return np.array([" ".join(w for w in t.split() if w != token) for t in texts], dtype=object)


# WordPiece tokens (uncased) that negate what follows; "n't" arrives as "'" then "t".
NEGATORS = frozenset({"not", "no", "never", "nothing", "nobody", "none", "nor", "neither",
                      "without", "cannot"})


def _check_tokens(tokens: object) -> list[str]:
    if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
        raise TypeError("tokens must be a sequence of token strings, e.g. a tokenizer's output")
    return [t.lower() for t in tokens]


def negators(tokens: Sequence[str]) -> np.ndarray:
    """Per token, True when it negates: one of ``NEGATORS``, or the ``t`` of "n't" (a ``t``
    right after an apostrophe)."""
    tokens = _check_tokens(tokens)
    return np.array([t in NEGATORS or (t == "t" and i > 0 and tokens[i - 1] == "'")
                     for i, t in enumerate(tokens)], dtype=bool)


def negation_scope(tokens: Sequence[str], window: int = 3) -> np.ndarray:
    """Per token, True when one of the ``window`` tokens before it negates (``negators``): a
    property of the context, not of the token itself, which is what a probe with a control task
    (Hewitt & Liang 2019) needs."""
    negates = negators(tokens)
    window = check_int("window", window, 1)
    return np.array([negates[max(0, i - window):i].any() for i in range(len(negates))],
                    dtype=bool)


def planted_reviews(n_samples: int = 600, rate: float = 0.5, seed: int = 0):
    """The review snippets as a Hugging Face ``datasets.Dataset``: each real snippet beside its
    copy with the planted token (``make_planted_text``), so that notebooks tokenize both columns
    with ``Dataset.map``. Built in memory from the shipped file; nothing is fetched.

    Columns: ``text`` (the real snippet, whitespace normalised), ``planted_text``, ``label``
    (0 rotten, 1 fresh) and ``token_position`` (the token's word index, -1 where absent).
    """
    from datasets import ClassLabel, Dataset, Features, Value

    planted = make_planted_text(n_samples=n_samples, rate=rate, seed=seed)  # validates
    real = load_text(n_samples=n_samples, seed=seed)
    features = Features({"text": Value("string"), "planted_text": Value("string"),
                         "label": ClassLabel(names=list(real.label_names)),
                         "token_position": Value("int64")})
    return Dataset.from_dict(
        {"text": [" ".join(t.split()) for t in real.texts], "planted_text": planted.texts,
         "label": real.labels.tolist(), "token_position": planted.token_positions.tolist()},
        features=features)


@dataclass(frozen=True)
class PlantedImages:
    """Synthetic RGB images ``(N, 3, H, W)`` in [0, 1]; label 1 images carry a small
    checkerboard watermark, the only thing that separates the classes. ``masks`` marks it."""

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray  # (N, 4) x0, y0, x1, y1 of the watermark; -1 where there is none


def make_planted_images(n_samples: int = 512, size: int = 32, patch_size: int = 6,
                        seed: int = 0) -> PlantedImages:
    """Images of smooth colour gradients, noise and a random distractor square; half of them
    (label 1) also get a black-and-white checkerboard watermark at a random position."""
    n_samples = check_int("n_samples", n_samples, 2)
    size = check_int("size", size, 16, 256)
    patch_size = check_int("patch_size", patch_size, 2, size // 2)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)
    images = np.empty((n_samples, 3, size, size), dtype=np.float32)
    masks = np.zeros((n_samples, size, size), dtype=bool)
    boxes = np.full((n_samples, 4), -1, dtype=np.int64)
    labels = rng.permutation(np.arange(n_samples) % 2).astype(np.int64)
    checker = (np.indices((patch_size, patch_size)).sum(axis=0) % 2).astype(np.float32)
    for i in range(n_samples):
        start, stop = rng.uniform(0.2, 0.8, size=(2, 3, 1, 1)).astype(np.float32)
        direction = ramp[None, :, None] if rng.random() < 0.5 else ramp[None, None, :]
        image = start + (stop - start) * direction + rng.normal(0, 0.05, (3, size, size))
        side = int(rng.integers(size // 6, size // 3))
        y0, x0 = rng.integers(0, size - side, size=2)
        image[:, y0:y0 + side, x0:x0 + side] = rng.uniform(0, 1, size=(3, 1, 1))
        if labels[i] == 1:
            y0, x0 = rng.integers(0, size - patch_size + 1, size=2)
            image[:, y0:y0 + patch_size, x0:x0 + patch_size] = checker
            masks[i, y0:y0 + patch_size, x0:x0 + patch_size] = True
            boxes[i] = (x0, y0, x0 + patch_size, y0 + patch_size)
        images[i] = np.clip(image, 0.0, 1.0)
    return PlantedImages(images, labels, masks, boxes)


@dataclass(frozen=True)
class ConceptImages:
    """Synthetic RGB images ``(N, 3, H, W)`` in [0, 1] with two planted concepts: a checkerboard,
    which decides class 2 whatever else the image shows, and a grey square, present as often
    but unrelated to the label. Without a checkerboard the background's tint decides: class 0
    (warm, more red than blue) or 1 (cool). ``masks`` maps each concept to where it is."""

    images: np.ndarray
    labels: np.ndarray
    masks: dict[str, np.ndarray]


CONCEPTS = ("checkerboard", "square")
CONCEPT_CLASSES = ("warm", "cool", "checkerboard")


def _free_corner(rng: np.random.Generator, taken: np.ndarray, side: int) -> tuple[int, int]:
    """A top-left corner where a ``side`` square overlaps nothing in ``taken`` (50 tries)."""
    size = taken.shape[0]
    for _ in range(50):
        y0, x0 = (int(v) for v in rng.integers(0, size - side + 1, size=2))
        if not taken[y0:y0 + side, x0:x0 + side].any():
            return y0, x0
    raise RuntimeError("no free place for a concept patch; use larger images")


def make_concept_images(n_samples: int = 512, checkerboard_rate: float = 0.5,
                        square_rate: float = 0.5, size: int = 32, patch_size: int = 6,
                        seed: int = 0) -> ConceptImages:
    """Smooth colour gradients with noise; each image independently gets a black-and-white
    checkerboard with probability ``checkerboard_rate`` (label 2) and a uniform grey square
    (no tint) with probability ``square_rate``, never overlapping; the
    labels are the indices of ``CONCEPT_CLASSES``. Rates of 1 and 0 make the concept sets and
    the random sets of notebook 15's TCAV."""
    n_samples = check_int("n_samples", n_samples, 1)
    checkerboard_rate = check_number("checkerboard_rate", checkerboard_rate, 0, 1)
    square_rate = check_number("square_rate", square_rate, 0, 1)
    size = check_int("size", size, 16, 256)
    patch_size = check_int("patch_size", patch_size, 2, size // 3)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)
    checker = (np.indices((patch_size, patch_size)).sum(axis=0) % 2).astype(np.float32)
    images = np.empty((n_samples, 3, size, size), dtype=np.float32)
    labels = np.empty(n_samples, dtype=np.int64)
    masks = {name: np.zeros((n_samples, size, size), dtype=bool) for name in CONCEPTS}
    has = {"checkerboard": rng.random(n_samples) < checkerboard_rate,
           "square": rng.random(n_samples) < square_rate}
    for i in range(n_samples):
        start, stop = rng.uniform(0.2, 0.8, size=(2, 3, 1, 1)).astype(np.float32)
        direction = ramp[None, :, None] if rng.random() < 0.5 else ramp[None, None, :]
        image = start + (stop - start) * direction + rng.normal(0, 0.05, (3, size, size))
        tint = (start + stop).ravel()  # the background's mean colour, twice
        labels[i] = 2 if has["checkerboard"][i] else int(tint[2] > tint[0])
        taken = np.zeros((size, size), dtype=bool)
        if has["square"][i]:
            side = patch_size + 2
            y0, x0 = _free_corner(rng, taken, side)
            image[:, y0:y0 + side, x0:x0 + side] = rng.uniform(0, 1)  # grey: it adds no tint
            taken[y0:y0 + side, x0:x0 + side] = True
            masks["square"][i] = taken
        if has["checkerboard"][i]:
            y0, x0 = _free_corner(rng, taken, patch_size)
            image[:, y0:y0 + patch_size, x0:x0 + patch_size] = checker
            masks["checkerboard"][i, y0:y0 + patch_size, x0:x0 + patch_size] = True
        images[i] = np.clip(image, 0.0, 1.0)
    return ConceptImages(images, labels, masks)


# --------------------------------------------------------------------------- toy translation

# The toy language of notebook 13. A source sentence is "DET ADJ NOUN VERB"; its translation is
# "ARTICLE NOUN ADJECTIVE VERB...", so the adjective moves after the noun (a reordering), the
# article depends on the determiner and on the noun's gender, the adjective's form on the
# adjective and on the noun's gender (two agreements), and two verbs become two tokens each.
TOY_LEXICON: dict[str, dict] = {
    "det": {"the": ("le", "la"), "a": ("un", "une")},
    "noun": {"cat": ("chat", 0), "dog": ("chien", 0), "horse": ("cheval", 0),
             "bird": ("oiseau", 0), "mouse": ("souris", 1), "cow": ("vache", 1),
             "duck": ("cane", 1), "goat": ("chevre", 1)},
    "adj": {"big": ("grand", "grande"), "small": ("petit", "petite"),
            "black": ("noir", "noire"), "green": ("vert", "verte"),
            "old": ("vieux", "vieille"), "happy": ("content", "contente")},
    "verb": {"sleeps": ("dort",), "eats": ("mange",), "runs": ("court",),
             "sings": ("chante",), "naps": ("fait", "sieste"), "jumps": ("fait", "saut")},
}
_TOY_SLOTS = ("det", "adj", "noun", "verb")


@dataclass(frozen=True)
class ToyTranslation:
    """Parallel sentences with their known alignment: ``alignments[i][j]`` is the tuple of
    source word positions that determine target token ``j`` of ``targets[i]``."""

    sources: list[str]
    targets: list[str]
    alignments: list[tuple[tuple[int, ...], ...]]
    kinds: list[tuple[str, ...]]  # per target token: "agreement", "dictionary" or "split"


def toy_translate(source: str) -> tuple[str, tuple[tuple[int, ...], ...], tuple[str, ...]]:
    """Translate one "DET ADJ NOUN VERB" sentence of the toy language (notebook 13): the target,
    its alignment (source positions per target token) and each target token's kind."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a string, got {type(source).__name__}")
    words = source.split()
    if len(words) != 4:
        raise ValueError(f"source must have 4 words (DET ADJ NOUN VERB), got {source!r}")
    for slot, word in zip(_TOY_SLOTS, words, strict=True):
        if word not in TOY_LEXICON[slot]:
            raise ValueError(f"unknown {slot} {word!r}; choose one of "
                             f"{tuple(TOY_LEXICON[slot])}")
    det, adj, noun, verb = words
    noun_word, gender = TOY_LEXICON["noun"][noun]
    verb_tokens = TOY_LEXICON["verb"][verb]
    target = [TOY_LEXICON["det"][det][gender], noun_word, TOY_LEXICON["adj"][adj][gender],
              *verb_tokens]
    alignment = ((0, 2), (2,), (1, 2)) + ((3,),) * len(verb_tokens)
    kinds = ("agreement", "dictionary", "agreement") + (
        ("dictionary",) if len(verb_tokens) == 1 else ("split", "split"))
    return " ".join(target), alignment, kinds


def make_toy_translation() -> ToyTranslation:
    """Every sentence of the toy language (2 x 6 x 8 x 6 = 576), in a fixed order, with its
    translation and alignment; split it with ``datasets`` to hold some combinations out."""
    sources, targets, alignments, kinds = [], [], [], []
    for det in TOY_LEXICON["det"]:
        for adj in TOY_LEXICON["adj"]:
            for noun in TOY_LEXICON["noun"]:
                for verb in TOY_LEXICON["verb"]:
                    source = f"{det} {adj} {noun} {verb}"
                    target, alignment, kind = toy_translate(source)
                    sources.append(source)
                    targets.append(target)
                    alignments.append(alignment)
                    kinds.append(kind)
    return ToyTranslation(sources, targets, alignments, kinds)
