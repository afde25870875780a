"""Checkers for notebook 08 (counterfactual explanations and surrogates)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from utils.exercises import Wrong, checker, expect, expect_array, expect_close

PROBES = ("sex only", "sex and Husband/Wife")


@checker("08.1")
def greedy_search(outcomes: object, clear_people: object, test_probability: object,
                  found: object, people: object) -> str:
    """The people are 10 clear refusals; greedy never finds a counterfactual the exact search
    rules out, never beats its cost, and clear refusals have recourse less often than near
    misses."""
    probability = expect_array("test_probability", test_probability)
    chosen = np.asarray(clear_people, dtype=int)
    expect(chosen.shape == (10,) and len(set(chosen.tolist())) == 10,
           f"clear_people should hold 10 different test rows, got {chosen.size}")
    highest = float(probability[chosen].max())
    expect(highest < 0.1, f"a chosen person has P(>50K) = {highest:.3f}; clear refusals have "
                          "P < 0.1, not just < 0.5")
    expect(isinstance(outcomes, pd.DataFrame) and
           {"exact cost", "greedy cost"} <= set(outcomes.columns) and len(outcomes) == 10,
           "outcomes should be a DataFrame of 10 rows with columns 'exact cost' and "
           "'greedy cost'")
    exact = outcomes["exact cost"].to_numpy(dtype=float)
    greedy = outcomes["greedy cost"].to_numpy(dtype=float)
    exists, greedy_found = ~np.isnan(exact), ~np.isnan(greedy)
    impossible = int((greedy_found & ~exists).sum())
    expect(impossible == 0, f"greedy finds a counterfactual for {impossible} people the exhaustive "
                            "search says have none: is every greedy answer really >= 0?")
    both = greedy_found & exists
    cheaper = int((greedy[both] < exact[both] - 1e-9).sum())
    expect(cheaper == 0, f"greedy is cheaper than the exact search for {cheaper} people; the "
                         "exhaustive search is the cheapest by construction (same cost function?)")
    near_miss_rate = len(found) / len(people)
    expect(exists.mean() < near_miss_rate,
           f"counterfactuals exist for {exists.mean():.0%} of the clear refusals and "
           f"{near_miss_rate:.0%} of the near misses; clear refusals should have recourse less "
           "often")
    equal = int(np.isclose(greedy[both], exact[both]).sum())
    return (f"a counterfactual exists for {exists.sum()} of 10 clear refusals (near misses: "
            f"{near_miss_rate:.0%}); greedy finds {greedy_found.sum()}, at the exact cost for "
            f"{equal}, never cheaper")


def sex_probe(z: np.ndarray, score: Callable[[np.ndarray], np.ndarray], columns: list[str],
              pairs: list[tuple[str, str]]) -> np.ndarray:
    """The change of P(>50K) when each pair of one-hot columns is swapped."""
    swapped = z.copy()
    for a, b in pairs:
        i, j = columns.index(a), columns.index(b)
        swapped[:, [i, j]] = z[:, [j, i]]
    return 1 / (1 + np.exp(-score(swapped))) - 1 / (1 + np.exp(-score(z)))


@checker("08.2")
def protected_attribute(probe_effects: object, z: object, score: Callable, columns: object,
                        x_test: object) -> str:
    """Women made men gain probability and men made women lose it, and the table's mean
    changes equal a swap of the one-hot columns (with Husband/Wife the second time)."""
    expect(isinstance(probe_effects, pd.DataFrame) and
           {"flipped", "mean change of P"} <= set(probe_effects.columns),
           "probe_effects should be a DataFrame with columns 'flipped' and 'mean change of P'")
    z = np.asarray(z, dtype=float)
    sex = np.asarray(x_test["sex"])
    all_pairs = {"sex only": [("sex=Female", "sex=Male")],
                 "sex and Husband/Wife": [("sex=Female", "sex=Male"),
                                          ("relationship=Husband", "relationship=Wife")]}
    for probe in PROBES:
        for group in ("Female", "Male"):
            try:
                row = probe_effects.loc[(probe, group)]
            except KeyError:
                raise Wrong(f"probe_effects has no row ({probe!r}, {group!r})") from None
            flipped = float(row["flipped"])
            expect(0 <= flipped <= 1, f"the flipped share for ({probe}, {group}) is "
                                      f"{flipped:.3g}; a share lies between 0 and 1")
    women = probe_effects.loc[("sex only", "Female"), "mean change of P"]
    men = probe_effects.loc[("sex only", "Male"), "mean change of P"]
    expect(women > 0 > men, f"with sex alone swapped, women made men change by {women:+.3f} and "
                            f"men made women by {men:+.3f}; the census gap makes the first "
                            "positive and the second negative (after minus before)")
    for probe in PROBES:
        change = sex_probe(z, score, list(columns), all_pairs[probe])
        for group in ("Female", "Male"):
            expect_close(f"mean change of P for ({probe}, {group})",
                         probe_effects.loc[(probe, group), "mean change of P"],
                         change[sex == group].mean(),
                         "the change of the probability (not the logit) after swapping the "
                         "one-hot columns", atol=1e-6)
    both = probe_effects.loc[("sex and Husband/Wife", "Female"), "mean change of P"]
    return (f"sex alone moves women made men by {women:+.3f} and men made women by {men:+.3f}; "
            f"with Husband/Wife swapped too, women gain {both:+.3f}")


@checker("08.3")
def distractor_swap(swap_needed: object, swapped: object, scene_image: object, orders: object,
                    k_map: int, swap_probs: object, cat_ids: object, cell: int) -> str:
    """Each swapped cell holds the cat photo's pixels from the same place in its own frame, the
    counts are read off the probabilities, and the map order flips before k_map cells."""
    scene = np.asarray(scene_image)
    images = np.asarray(swapped)
    expect(images.shape == (len(orders) * k_map, *scene.shape),
           f"swapped should hold {len(orders)} orders x {k_map} images of shape {scene.shape}, "
           f"got shape {images.shape}")
    cell_cols, half = scene.shape[1] // cell, scene.shape[1] // cell // 2
    photo = scene[:, :half * cell]  # the cat photo is the scene's left half
    for number, (name, order) in enumerate(orders.items()):
        row, col = divmod(int(order[0]), cell_cols)
        rows, cols = slice(row * cell, (row + 1) * cell), slice(col * cell, (col + 1) * cell)
        source = slice((col - half) * cell, (col - half + 1) * cell)
        first = images[number * k_map]
        expect(np.array_equal(first[rows, cols], photo[rows, source]),
               f"the first image of {name} does not hold the cat photo's pixels in cell "
               f"{int(order[0])}: mean |difference| "
               f"{np.abs(first[rows, cols].astype(float) - photo[rows, source]).mean():.1f} "
               f"(the photo's column is the scene's column minus {half})")
        outside = first.astype(float).copy()
        outside[rows, cols] = scene[rows, cols]
        expect(np.array_equal(outside, scene), f"the first image of {name} changes pixels "
                                               "outside its one chosen cell")
    probs = expect_array("swap_probs", swap_probs)
    expect(len(probs) == len(images), f"swap_probs has {len(probs)} rows for {len(images)} "
                                      "images")
    probs = probs.reshape(len(orders), k_map, -1)
    expect(set(swap_needed) == set(orders), f"swap_needed should have one entry per order "
                                            f"({', '.join(orders)})")
    for name, order_probs in zip(orders, probs, strict=True):
        cats = np.flatnonzero(np.isin(order_probs.argmax(1), list(cat_ids)))
        expected = int(cats[0]) + 1 if len(cats) else None
        expect(swap_needed[name] == expected,
               f"{name}: swap_needed is {swap_needed[name]}, but the top-1 class is first a cat "
               f"after {expected} cells (count cells from 1)")
    map_k = swap_needed["map order"]
    expect(map_k is not None and map_k < k_map,
           f"the map order needs {map_k} swapped cells, grey needed {k_map}; adding cat evidence "
           "should flip it sooner")
    return (f"the map order flips after {map_k} swapped cells (grey: {k_map}); random orders: "
            + ", ".join(f"{swap_needed[n]}" for n in orders if n != "map order"))


@checker("08.4")
def boosting_surrogate(boost_fidelity: object, fidelity: object, boost_floor: float,
                       boosting: object, r_train: object, r_test: object) -> str:
    """Surrogates are fitted to the boosting model's predictions and scored against them on the
    test people: depth 3 beats the constant floor by 0.1 and the two curves nearly coincide."""
    from sklearn.tree import DecisionTreeClassifier
    from threadpoolctl import threadpool_limits

    curve = pd.Series(boost_fidelity)
    expect(list(curve.index) == list(range(1, 11)),
           f"boost_fidelity should be indexed by the depths 1-10, got {list(curve.index)}")
    with threadpool_limits(limits=1, user_api="openmp"):
        boost_train, boost_test = boosting.predict(r_train), boosting.predict(r_test)
    expect_close("boost_floor", boost_floor, max(boost_test.mean(), 1 - boost_test.mean()),
                 "the share of the boosting model's majority answer on the test people")
    depth3 = DecisionTreeClassifier(max_depth=3, random_state=0).fit(r_train, boost_train)
    expect_close("the depth-3 fidelity", curve.loc[3],
                 np.mean(depth3.predict(r_test) == boost_test),
                 "the agreement of a depth-3 tree fitted to the boosting model's training "
                 "predictions with its test predictions", atol=1e-9)
    expect(curve.loc[3] > boost_floor + 0.1,
           f"the depth-3 fidelity {curve.loc[3]:.3f} is within 0.1 of the floor {boost_floor:.3f}")
    network = fidelity["fidelity"] if isinstance(fidelity, pd.DataFrame) else pd.Series(fidelity)
    gap = float(np.abs(curve.to_numpy() - network.to_numpy()).max())
    expect(gap < 0.03, f"the boosting and network curves differ by up to {gap:.3f}; with both "
                       "scored as fidelity they stay within 0.03")
    return (f"one tree of depth 3 imitates boosting with fidelity {curve.loc[3]:.3f} (floor "
            f"{boost_floor:.3f}); the curves differ by at most {gap:.3f}")
