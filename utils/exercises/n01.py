"""Checkers for notebook 01 (feature importance: MDI, permutation, drop-column)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from utils.exercises import Wrong, checker, expect, expect_close

PROBE = "random_num"
METHODS = ("|coefficient|", "MDI", "permutation", "drop-column")


def expect_series(name: str, value: object, index: list[str]) -> pd.Series:
    """``value`` as a float Series over exactly the features ``index``, or ``Wrong``."""
    expect(isinstance(value, pd.Series), f"{name} should be a pandas Series indexed by feature, "
                                         f"got {type(value).__name__}")
    expect(list(value.index) == list(index), f"{name} should be indexed by the {len(index)} "
                                             f"features in column order, got {list(value.index)}")
    return value.astype(float)


def rank_of(values: pd.Series, feature: str) -> int:
    """The 1-based rank of ``feature`` in ``values`` (1 = largest)."""
    return int(values.rank(ascending=False, method="first")[feature])


@checker("01.1")
def permutation_on_training_rows(train_perm: object, held_out: object, model: object, X: object,
                                 y: object, real: object) -> str:
    """The rows are the forest's training rows (it is nearly perfect on them), and there the
    noise probe gains importance and beats several real features."""
    features = list(X.columns)
    train_perm = expect_series("train_perm", train_perm, features)
    held_out = expect_series("held_out", held_out, features)
    accuracy = float(model.score(X, y))
    expect(accuracy > 0.95, f"the forest scores {accuracy:.3f} on your rows, so they are "
                            "held-out rows: shuffle the training rows (A_train, a_train)")
    expect(bool((train_perm >= -1e-12).all() and train_perm.max() > 0),
           f"the smallest importance is {train_perm.min():.4f}: importance is the score with "
           "the column intact minus the score with it shuffled, not the other way round")
    noise, outside = train_perm[PROBE], held_out[PROBE]
    expect(noise > 5 * abs(outside), f"{PROBE} has {noise:.4f} on your rows and {outside:+.4f} "
                                     "on held-out rows; on the training rows it should be many "
                                     "times larger")
    below = [c for c in real if train_perm[c] < noise]
    expect(len(below) >= 3, f"only {len(below)} real features fall below {PROBE}; on training "
                            "rows the memorized noise beats several")
    expect(rank_of(train_perm, PROBE) < rank_of(held_out, PROBE),
           f"{PROBE} ranks {rank_of(train_perm, PROBE)} on your rows, "
           f"{rank_of(held_out, PROBE)} held out; it should rise")
    return (f"on the rows it memorized, the forest needs {PROBE} ({noise:.4f}, rank "
            f"{rank_of(train_perm, PROBE)}, above {len(below)} real features); held out it is "
            f"worth {outside:+.4f}")


@checker("01.2")
def shallower_trees(shallow_forest: object, shallow_mdi: object, forest: object) -> str:
    """The refit differs from the forest only in min_samples_leaf=20, the MDI values are its
    feature_importances_, and the noise probe falls in the MDI ranking."""
    params, reference = shallow_forest.get_params(), forest.get_params()
    expect(params["min_samples_leaf"] == 20, f"min_samples_leaf is "
                                             f"{params['min_samples_leaf']}, the exercise asks 20")
    changed = sorted(k for k in params if k != "min_samples_leaf" and params[k] != reference[k])
    expect(not changed, f"the refit also changes {changed}; keep the forest's other settings")
    try:
        fitted = shallow_forest.feature_importances_
    except AttributeError:
        raise Wrong("shallow_forest is not fitted: call .fit(A_train, a_train)") from None
    features = list(forest.feature_names_in_)
    shallow_mdi = expect_series("shallow_mdi", shallow_mdi, features)
    expect_close("shallow_mdi", shallow_mdi.to_numpy(), fitted,
                 "the refit forest's feature_importances_")
    before = rank_of(pd.Series(forest.feature_importances_, features), PROBE)
    after = rank_of(shallow_mdi, PROBE)
    expect(after > before, f"{PROBE} ranks {after} by MDI, {before} with pure leaves; it should "
                           "fall")
    return (f"with 20 rows per leaf {PROBE} falls from MDI rank {before} to {after}: less "
            "biased, not unbiased")


@checker("01.3")
def quieter_leak(data: object, table: object, ranks: object) -> str:
    """The table is from the noisier leak, holds the four methods, the ranks are the leak's in
    each, and no method ranks the leak first while the forest still ranks it second."""
    leak = data.planted_feature
    correlation = float(np.corrcoef(data.X[leak], data.y)[0, 1])
    expect(correlation < 0.7, f"the leak correlates {correlation:.2f} with the label: that is "
                              "the section-6 table; generate it with leak_noise=1.0")
    expect(isinstance(table, pd.DataFrame) and list(table.columns) == list(METHODS),
           f"table should be all_importances' DataFrame with columns {list(METHODS)}")
    expect(list(table.index) == list(data.X.columns), "table should have one row per feature "
                                                      "of the noisier table")
    expected = table.rank(ascending=False).loc[leak].astype(int)
    ranks = expect_series("ranks", ranks, list(METHODS))
    expect_close("ranks", ranks.to_numpy(), expected.to_numpy(),
                 "the leak's rank in each column (1 = largest)")
    expect(bool((ranks > 1).all()), f"a method ranks the leak first: {ranks.to_dict()}")
    forest = ranks[["MDI", "permutation", "drop-column"]]
    expect(bool((forest == 2).all()), f"the forest's ranks of the leak are {forest.to_dict()}, "
                                      "expected 2 for each")
    return (f"with correlation {correlation:.2f} an honest feature ranks first everywhere and "
            f"the leak ranks {ranks.astype(int).to_dict()}: a ranking cannot tell a leak from a "
            "strong feature")
