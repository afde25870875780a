"""Tests for utils.plotting: the course style, importance bars, image grids, prediction panels
and token-attribution strips (Agg backend, every figure closed after each test)."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure
from PIL import Image

from utils import plotting
from utils.images import overlay

mpl.use("Agg")


@pytest.fixture(autouse=True)
def _isolated_figures():
    """Keep rcParams changes inside the test and close every figure it opened."""
    with mpl.rc_context():
        yield
    plt.close("all")


def _image(seed: int = 0, size: int = 8) -> np.ndarray:
    return np.random.default_rng(seed).random((size, size, 3))


def _labels(ax: Axes) -> list[str]:
    return [tick.get_text() for tick in ax.get_yticklabels()]


# --------------------------------------------------------------------------- set_style


def test_set_style_applies_course_rc_params():
    plotting.set_style()
    assert mpl.rcParams["axes.titleweight"] == "bold"
    assert mpl.rcParams["figure.dpi"] == 100 and mpl.rcParams["savefig.dpi"] == 120
    assert mpl.rcParams["image.cmap"] == "viridis"
    assert mpl.rcParams["axes.grid"]  # seaborn's whitegrid


def test_set_style_takes_no_arguments():
    with pytest.raises(TypeError, match="positional argument"):
        plotting.set_style("dark")


# --------------------------------------------------------------------------- importance_bar


def test_importance_bar_sorts_largest_on_top():
    ax = plotting.importance_bar([0.2, 0.5, 0.1], ["a", "b", "c"], title="Permutation",
                                 xlabel="drop in accuracy")
    assert isinstance(ax, Axes)
    assert len(ax.patches) == 3
    assert _labels(ax) == ["c", "a", "b"]  # barh draws bottom-up
    assert [bar.get_width() for bar in ax.patches] == [0.1, 0.2, 0.5]
    assert ax.get_title() == "Permutation" and ax.get_xlabel() == "drop in accuracy"


def test_importance_bar_top_k_and_given_axes():
    _, ax = plt.subplots()
    returned = plotting.importance_bar(np.array([0.2, 0.5, 0.1, 0.4]), ["a", "b", "c", "d"],
                                       ax=ax, top_k=2)
    assert returned is ax
    assert len(ax.patches) == 2 and _labels(ax) == ["d", "b"]
    assert ax.get_title() == "Feature importance"


def test_importance_bar_signed_values_rank_by_magnitude_and_highlight():
    ax = plotting.importance_bar([-0.9, 0.3, 0.1], ["leak", "x1", "x2"], highlight="x1",
                                 errors=[0.05, 0.02, 0.01])
    assert _labels(ax) == ["x2", "x1", "leak"]
    assert ax.patches[-1].get_width() == -0.9
    colours = [bar.get_facecolor() for bar in ax.patches]
    assert colours == [to_rgba("tab:blue"), to_rgba("tab:red"), to_rgba("tab:orange")]
    (error_lines,) = next(c for c in ax.containers if isinstance(c, ErrorbarContainer)).lines[2]
    half_widths = [(x1 - x0) / 2 for (x0, _), (x1, _) in error_lines.get_segments()]
    np.testing.assert_allclose(half_widths, [0.01, 0.02, 0.05])  # errors follow their bars


@pytest.mark.parametrize(("values", "names", "kwargs", "message"), [
    ([1.0, 2.0], ["a"], {}, "lengths differ"),
    ([1.0, 2.0], ["a", "b"], {"errors": [0.1]}, "lengths differ"),
    ([], [], {}, "values is empty"),
    ([1.0, np.nan], ["a", "b"], {}, "values contains NaN or infinite entries"),
    ([1.0, 2.0], ["a", "b"], {"highlight": "z"}, r"highlight \['z'\] not among the names"),
    ([1.0, 2.0], ["a", "b"], {"sort": "abs"}, "sort must be one of"),
    ([1.0, 2.0], ["a", "b"], {"top_k": 0}, "top_k must be a positive int, got 0"),
])
def test_importance_bar_rejects_bad_input(values, names, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.importance_bar(values, names, **kwargs)


# --------------------------------------------------------------------------- image_grid


def test_image_grid_panels_overlays_titles_and_colorbars():
    heat = np.linspace(0, 1, 16).reshape(4, 4)
    shown = [_image(0), Image.fromarray((_image(1) * 255).astype(np.uint8)), _image(2)]
    fig = plotting.image_grid(shown, maps=[heat, None, heat], titles=["a", "b", "c"], ncols=2,
                              alpha=0.4, suptitle="Saliency")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 2 + 2  # four panels, two colour bars
    panels = fig.axes[:4]  # the colour bars are added after the grid
    assert [ax.get_title() for ax in panels] == ["a", "b", "c", ""]
    assert not panels[3].images
    np.testing.assert_allclose(panels[0].images[0].get_array(),
                               overlay(shown[0], heat, alpha=0.4), atol=1e-6)
    assert fig.get_suptitle() == "Saliency"


def test_image_grid_without_colorbar_and_fewer_images_than_columns():
    fig = plotting.image_grid([_image(0), _image(1)], maps=[np.zeros((8, 8))] * 2, ncols=4,
                              colorbar=False)
    assert len(fig.axes) == 2
    assert all(len(ax.images) == 1 for ax in fig.axes)


@pytest.mark.parametrize(("shown", "kwargs", "message"), [
    ([], {}, "images is empty"),
    ([_image()], {"titles": ["a", "b"]}, "lengths differ"),
    ([_image()], {"ncols": 0}, "ncols must be a positive int, got 0"),
    ([_image()], {"maps": [np.zeros((8, 8))], "cmap": "nope"}, "unknown matplotlib colormap"),
    ([_image()], {"maps": [np.full((8, 8), 3.0)]}, r"heatmap must lie in \[0, 1\]"),
])
def test_image_grid_rejects_bad_input(shown, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.image_grid(shown, **kwargs)


# --------------------------------------------------------------------------- prediction_grid


def test_prediction_grid_images_above_probability_bars():
    predictions = [[("tabby", 0.6), ("tiger cat", 0.3), ("lynx", 0.1)],
                   [("espresso", 0.9), ("cup", 0.05), ("mug", 0.01)],
                   [("rocket", 0.7), ("missile", 0.2), ("tower", 0.1)]]
    fig = plotting.prediction_grid([_image(i) for i in range(3)], predictions,
                                   titles=["cat", "coffee", "rocket"], ncols=2, suptitle="Top 3")
    assert isinstance(fig, Figure)
    axes = np.array(fig.axes).reshape(4, 2)  # (image row, bar row) x 2 rows of panels
    assert [axes[0, 0].get_title(), axes[0, 1].get_title(), axes[2, 0].get_title()] == [
        "cat", "coffee", "rocket"]
    bars = axes[1, 0]
    assert len(bars.patches) == 3 and _labels(bars) == ["lynx", "tiger cat", "tabby"]
    assert [bar.get_width() for bar in bars.patches] == [0.1, 0.3, 0.6]
    assert bars.get_xlim() == (0.0, 1.0)
    assert not axes[2, 1].images and not axes[3, 1].patches  # the empty fourth slot
    assert fig.get_suptitle() == "Top 3"


@pytest.mark.parametrize(("shown", "predictions", "kwargs", "message"), [
    ([], [], {}, "images is empty"),
    ([_image()], [[("a", 0.5)], [("b", 0.5)]], {}, "lengths differ"),
    ([_image()], [[("a", 1.5)]], {}, r"probabilities must lie in \[0, 1\], got \[1.5\]"),
    ([_image()], [[("a", 0.5)]], {"ncols": -1}, "ncols must be a positive int, got -1"),
])
def test_prediction_grid_rejects_bad_input(shown, predictions, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.prediction_grid(shown, predictions, **kwargs)


# --------------------------------------------------------------------------- token_attributions


def test_token_attributions_colours_each_token_by_score():
    tokens, scores = ["the", "film", "was", "great"], [0.0, -0.2, 0.1, 0.9]
    ax = plotting.token_attributions(tokens, scores, title="SHAP")
    assert isinstance(ax, Axes) and ax.get_title() == "SHAP"
    assert [text.get_text() for text in ax.texts] == tokens
    assert [text.get_color() for text in ax.texts] == ["black", "black", "black", "white"]
    cmap = mpl.colormaps["RdBu_r"]
    assert ax.texts[3].get_bbox_patch().get_facecolor() == cmap(1.0)  # largest score
    assert ax.texts[0].get_bbox_patch().get_facecolor() == cmap(0.5)  # zero score
    assert len(ax.figure.axes) == 2  # the strip and its colour bar


def test_token_attributions_wraps_lines():
    ax = plotting.token_attributions(["abcd"] * 5, np.zeros(5), max_chars_per_line=10)
    assert [text.get_position()[1] for text in ax.texts] == [0.5, 0.5, 1.5, 1.5, 2.5]
    assert ax.get_ylim() == (3.0, 0.0)


@pytest.mark.parametrize(("tokens", "scores", "kwargs", "message"), [
    ([], [], {}, "tokens is empty"),
    (["a", "b"], [1.0], {}, "lengths differ"),
    (["a", "b"], [1.0, np.inf], {}, "scores contains NaN or infinite entries"),
    (["a"], [1.0], {"max_chars_per_line": 5}, "max_chars_per_line must be an int >= 10, got 5"),
])
def test_token_attributions_rejects_bad_input(tokens, scores, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.token_attributions(tokens, scores, **kwargs)


def test_token_attributions_rejects_unknown_colormap():
    with pytest.raises(ValueError, match="colormap"):
        plotting.token_attributions(["a"], [1.0], cmap="nope")


def test_importance_bar_sort_by_value_puts_negative_score_drops_last():
    ax = plotting.importance_bar([-0.9, 0.3, 0.1], ["noise", "x1", "x2"], sort="value",
                                 highlight=["noise", "x2"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["noise", "x2", "x1"]  # bottom-up: the largest drop is on top
    red = [p.get_facecolor() for p in ax.patches][:2]
    assert all(colour == mpl.colors.to_rgba("tab:red") for colour in red)


def test_importance_bar_sort_none_keeps_order_first_on_top():
    ax = plotting.importance_bar([0.1, 0.5, 0.3], ["a", "b", "c"], sort="none")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]


def test_token_attributions_colour_bar_label():
    ax = plotting.token_attributions(["a", "b"], [0.5, -0.5], label="LIME weight")
    assert ax.figure.axes[-1].get_xlabel() == "LIME weight"


def test_draw_boxes_outlines_pixel_edges_and_skips_absent():
    _, ax = plt.subplots()
    ax.imshow(np.zeros((10, 10)))
    drawn = plotting.draw_boxes(ax, [(2, 3, 6, 8), (-1, -1, -1, -1)], colours=["red", "blue"])
    assert len(drawn) == 1 and drawn[0] in ax.patches
    assert drawn[0].get_xy() == (1.5, 2.5)
    assert (drawn[0].get_width(), drawn[0].get_height()) == (4, 5)
    assert drawn[0].get_edgecolor() == mpl.colors.to_rgba("red")
    assert len(plotting.draw_boxes(ax, np.array([0, 0, 4, 4]))) == 1  # one box alone


@pytest.mark.parametrize(("boxes", "kwargs", "message"), [
    ([(0, 0, 4)], {}, r"boxes must be \(x0, y0, x1, y1\) rows"),
    ([(0, 0, 4, 4)], {"colours": ["red", "blue"]}, "2 colours for 1 boxes"),
    ([(5, 0, 4, 4)], {}, "is empty"),
])
def test_draw_boxes_rejects_bad_input(boxes, kwargs, message):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        plotting.draw_boxes(ax, boxes, **kwargs)


# --------------------------------------------------------------------------- map_grid


def test_map_grid_rows_columns_boxes_and_one_colour_bar():
    heat = np.linspace(0, 1, 16).reshape(4, 4)
    fig = plotting.map_grid([_image(0), _image(1)], [[heat, None], [_image(2), heat]],
                            ["gradient", "a method with a long name"], row_titles=["cat", "cup"],
                            boxes=[[(0, 0, 2, 2)], None], suptitle="Maps")
    panels, bars = fig.axes[:6], fig.axes[6:]
    assert len(bars) == 1, "one shared colour bar"
    assert [ax.get_title() for ax in panels[:3]] == ["input", "gradient",
                                                      "a method with a\nlong name"]
    assert panels[0].get_ylabel() == "cat" and panels[3].get_ylabel() == "cup"
    assert not panels[2].images, "None leaves the panel blank"
    assert len(panels[1].patches) == 1 and not panels[4].patches, "boxes only on their row"
    assert panels[1].images[0].get_clim() == (0, 1) and fig.get_suptitle() == "Maps"


def test_map_grid_without_the_input_column():
    fig = plotting.map_grid([_image(0)], [[np.zeros((4, 4))]], ["map"], show_input=False)
    assert fig.axes[0].get_title() == "map" and len(fig.axes) == 2


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (([], [], ["m"]), {}, "images is empty"),
    (([_image()], [[None]], ["m"]), {"row_titles": ["a", "b"]}, "lengths differ"),
    (([_image()], [[None, None]], ["m"]), {}, "one entry per column title"),
    (([_image()], [[np.full((4, 4), 2.0)]], ["m"]), {}, r"must lie in \[0, 1\]"),
    (([_image()], [[np.zeros(4)]], ["m"]), {}, r"must be \(H, W\) or \(H, W, 3\)"),
    (([_image()], [[None]], ["m"]), {"cmap": "nope"}, "unknown matplotlib colormap"),
    (([_image()], [[None]], ["m"]), {"panel_size": 0}, "panel_size must be a positive number"),
])
def test_map_grid_rejects_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.map_grid(*args, **kwargs)


# --------------------------------------------------------------------------- overlay_panel


def test_overlay_panel_blends_boxes_and_titles():
    fig, axes = plt.subplots(1, 2)
    heat = np.linspace(0, 1, 16).reshape(4, 4)
    plotting.overlay_panel(axes[0], _image(0), heat, "Grad-CAM", boxes=[(0, 0, 2, 2)])
    plotting.overlay_panel(axes[1], _image(1), heat[::2, ::2], "coarse")  # upsampled
    assert axes[0].get_title() == "Grad-CAM" and len(axes[0].patches) == 1
    assert not axes[1].patches and not axes[0].get_xticks().size
    assert axes[1].images[0].get_array().shape[:2] == np.asarray(_image(1)).shape[:2]
    plotting.overlay_colour_bar(fig, axes, "map / map max")
    assert len(fig.axes) == 3 and fig.axes[-1].get_ylabel() == "map / map max"


@pytest.mark.parametrize(("args", "error", "message"), [
    (("not an axes", np.zeros((4, 4)), "t"), TypeError, "ax must be a matplotlib Axes"),
    (("AX", np.full((4, 4), 2.0), "t"), ValueError, r"in \[0, 1\]"),
    (("AX", np.zeros(4), "t"), ValueError, r"\(H, W\) map"),
    (("AX", np.zeros((4, 4)), 3), TypeError, "title must be a string"),
])
def test_overlay_panel_rejects_bad_input(args, error, message):
    _, ax = plt.subplots()
    args = tuple(ax if a == "AX" else a for a in args[:1]) + args[1:]
    with pytest.raises(error, match=message):
        plotting.overlay_panel(args[0], _image(0), *args[1:])


def test_overlay_colour_bar_rejects_bad_input():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plotting.overlay_colour_bar(ax, ax, "x")
    with pytest.raises(ValueError, match="label must be a non-empty string"):
        plotting.overlay_colour_bar(fig, ax, "")
