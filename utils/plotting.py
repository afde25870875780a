"""Static figures the notebooks share: one style, importance bars, image/heatmap grids,
prediction panels and token-attribution strips (matplotlib only, no JavaScript)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from utils.checks import check_choice, check_int, check_number, check_string
from utils.images import overlay

__all__ = ["set_style", "importance_bar", "image_grid", "map_grid", "overlay_panel",
           "overlay_colour_bar", "prediction_grid", "token_attributions", "draw_boxes"]


def set_style() -> None:
    """The course's figure style: large fonts and thick lines that stay readable on a projector."""
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", font_scale=1.15)
    mpl.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 120,
        "figure.autolayout": False,
        "axes.titleweight": "bold",
        "axes.titlesize": "large",
        "image.cmap": "viridis",
    })


def _check_lengths(**named: Sequence | None) -> int:
    sizes = {k: len(v) for k, v in named.items() if v is not None}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"lengths differ: {sizes}")
    return next(iter(sizes.values()))


_SORTS = ("magnitude", "value", "none")


def importance_bar(values: Sequence[float] | np.ndarray, names: Sequence[str],
                   ax: Axes | None = None, title: str = "Feature importance",
                   xlabel: str = "importance", errors: Sequence[float] | None = None,
                   top_k: int | None = None, highlight: str | Sequence[str] | None = None,
                   sort: str = "magnitude") -> Axes:
    """Horizontal bars, largest on top; ``highlight`` colours features (e.g. a planted leak) red
    so the reader sees where they rank. Positive bars are blue, negative orange.

    ``sort="magnitude"`` ranks by |value| (right for coefficients, where a large negative is a
    large effect); ``"value"`` by signed value (right for score drops, where a negative drop is
    noise, not an effect); ``"none"`` keeps the given order, first on top.
    """
    vals = np.asarray(values, dtype=float).reshape(-1)
    n = _check_lengths(values=vals, names=names, errors=errors)
    if n == 0:
        raise ValueError("values is empty")
    if not np.all(np.isfinite(vals)):
        raise ValueError("values contains NaN or infinite entries")
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    if not marked <= set(names):
        raise ValueError(f"highlight {sorted(marked - set(names))} not among the names")
    if top_k is not None:
        check_int("top_k", top_k, 1)
    check_choice("sort", sort, _SORTS)
    keys = {"magnitude": -np.abs(vals), "value": -vals, "none": np.arange(n)}[sort]
    order = np.argsort(keys, kind="stable")[:top_k][::-1]  # barh draws bottom-up
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 1.2))
    colours = ["tab:red" if names[i] in marked else
               ("tab:blue" if vals[i] >= 0 else "tab:orange") for i in order]
    err = None if errors is None else np.asarray(errors, dtype=float)[order]
    ax.barh(np.arange(len(order)), vals[order], xerr=err, color=colours, capsize=3)
    ax.set_yticks(np.arange(len(order)), [str(names[i]) for i in order])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax


def image_grid(images: Sequence[np.ndarray | Image.Image], maps: Sequence[np.ndarray] | None = None,
               titles: Sequence[str] | None = None, ncols: int = 4, cmap: str = "jet",
               alpha: float = 0.5, colorbar: bool = True, suptitle: str | None = None,
               panel_size: float = 3.2) -> Figure:
    """A grid of images, each optionally overlaid with a [0, 1] heatmap (with a colour bar).

    ``maps[i]`` may be ``None`` to show ``images[i]`` alone; heatmaps smaller than their image
    (e.g. 7 x 7 CAMs) are upsampled.
    """
    n = _check_lengths(images=images, maps=maps, titles=titles)
    if n == 0:
        raise ValueError("images is empty")
    check_int("ncols", ncols, 1)
    if cmap not in mpl.colormaps:
        raise ValueError(f"unknown matplotlib colormap {cmap!r}")
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size * ncols, panel_size * nrows + 0.4),
                             squeeze=False, layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        image = images[i]
        if isinstance(image, Image.Image):
            image = np.asarray(image.convert("RGB"))
        heat = None if maps is None else maps[i]
        if heat is None:
            ax.imshow(image, cmap="gray" if np.ndim(image) == 2 else None)
        else:
            ax.imshow(overlay(image, heat, alpha=alpha, cmap=cmap))
            if colorbar:
                mappable = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0, 1), cmap=cmap)
                fig.colorbar(mappable, ax=ax, fraction=0.046, pad=0.02)
        if titles is not None:
            ax.set_title(titles[i], fontsize="medium")
    if suptitle:
        fig.suptitle(suptitle, fontsize="x-large", fontweight="bold")
    return fig


def _check_unit_map(panel: np.ndarray, what: str) -> None:
    """A drawn map must be finite and lie in [0, 1], the range of the shared colour scale."""
    if not np.all(np.isfinite(panel)) or panel.min() < -1e-6 or panel.max() > 1 + 1e-6:
        raise ValueError(f"{what} must lie in [0, 1]; pass it through "
                         "utils.images.normalize_map first")


def map_grid(images: Sequence[np.ndarray | Image.Image],
             maps: Sequence[Sequence[np.ndarray | None]], column_titles: Sequence[str],
             row_titles: Sequence[str] | None = None,
             boxes: Sequence[np.ndarray | Sequence[Sequence[int]] | None] | None = None,
             suptitle: str | None = None, cmap: str = "inferno",
             colorbar_label: str = "|attribution| (scaled)", show_input: bool = True,
             panel_size: float = 2.6, title_width: int = 18) -> Figure:
    """Rows of images with their maps: row ``r`` shows ``images[r]`` (when ``show_input``), then
    one panel per entry of ``maps[r]``, titled by ``column_titles``. A 2-D entry is a [0, 1] map
    drawn on one shared colour scale (one colour bar for the grid), a 3-D entry an RGB image,
    ``None`` a blank panel. ``boxes[r]`` (known object boxes) are outlined on every panel of row
    ``r``. The figure type of notebooks 05, 06 and 07 (methods side by side on several inputs).
    """
    n_rows = _check_lengths(images=images, maps=maps, row_titles=row_titles, boxes=boxes)
    if n_rows == 0:
        raise ValueError("images is empty")
    n_maps = len(column_titles)
    if n_maps == 0 or any(len(row) != n_maps for row in maps):
        raise ValueError(f"every row of maps needs one entry per column title ({n_maps}), got "
                         f"{[len(row) for row in maps]}")
    if cmap not in mpl.colormaps:
        raise ValueError(f"unknown matplotlib colormap {cmap!r}")
    check_number("panel_size", panel_size, 0, low_open=True)
    check_int("title_width", title_width, 5)
    offset = int(bool(show_input))
    fig, axes = plt.subplots(n_rows, n_maps + offset, squeeze=False, layout="constrained",
                             figsize=(panel_size * (n_maps + offset) + 1.0,
                                      panel_size * n_rows + 0.6))
    shown = None
    for r in range(n_rows):
        image = np.asarray(images[r].convert("RGB")) if isinstance(images[r], Image.Image) \
            else np.asarray(images[r])
        panels = ([image] if show_input else []) + list(maps[r])
        titles = (["input"] if show_input else []) + list(column_titles)
        for c, (panel, title) in enumerate(zip(panels, titles, strict=True)):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if r == 0:  # wrapped, so that long method names do not run into their neighbours
                ax.set_title(textwrap.fill(title, title_width), fontsize="medium")
            if panel is None:
                continue
            panel = np.asarray(panel)
            if panel.ndim == 2:
                _check_unit_map(panel, f"the map in row {r}, column {title!r}")
                shown = ax.imshow(panel, cmap=cmap, vmin=0, vmax=1)
            elif panel.ndim == 3 and panel.shape[-1] == 3:
                ax.imshow(panel)
            else:
                raise ValueError(f"the panel in row {r}, column {title!r} must be (H, W) or "
                                 f"(H, W, 3), got shape {panel.shape}")
            if boxes is not None and boxes[r] is not None:
                draw_boxes(ax, boxes[r], "cyan", linewidth=1.5, linestyle="--")
        if row_titles is not None:
            axes[r, 0].set_ylabel(row_titles[r], fontsize="medium")
    if shown is not None:
        fig.colorbar(shown, ax=axes[:, -1], shrink=0.8, label=colorbar_label)
    if suptitle:
        fig.suptitle(suptitle, fontsize="x-large", fontweight="bold")
    return fig


def overlay_panel(ax: Axes, image: np.ndarray | Image.Image, heat: np.ndarray, title: str,
                  boxes: Sequence[Sequence[int]] | np.ndarray | None = None, alpha: float = 0.5,
                  box_colour: str = "white", linestyle: str = "--") -> Axes:
    """One panel of a map blended over its image (``utils.images.overlay``, jet colours), with
    the known object boxes outlined and no ticks: the scene figures of notebooks 06, 07 and 08.
    ``heat`` lies in [0, 1]; a coarse map (a CAM) is upsampled to the image."""
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    if not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")
    heat = np.asarray(heat, dtype=float)
    if heat.ndim != 2:
        raise ValueError(f"heat must be an (H, W) map, got shape {heat.shape}")
    _check_unit_map(heat, "heat")
    ax.imshow(overlay(image, heat, alpha=alpha), interpolation="nearest")
    if boxes is not None:
        draw_boxes(ax, boxes, box_colour, linewidth=2, linestyle=linestyle)
    ax.set_title(title, fontsize="medium")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def overlay_colour_bar(fig: Figure, axes: Axes | np.ndarray | Sequence[Axes], label: str
                       ) -> None:
    """The one colour bar of a grid of :func:`overlay_panel` panels: jet, from 0 to 1."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    check_string("label", label)
    mappable = plt.cm.ScalarMappable(norm=plt.Normalize(0, 1), cmap="jet")
    fig.colorbar(mappable, ax=axes, fraction=0.02, pad=0.01, label=label)


def prediction_grid(images: Sequence[np.ndarray | Image.Image],
                    predictions: Sequence[Sequence[tuple[str, float]]],
                    titles: Sequence[str] | None = None, ncols: int = 3,
                    suptitle: str | None = None) -> Figure:
    """Each image above a bar chart of its top-k ``(class, probability)`` pairs."""
    n = _check_lengths(images=images, predictions=predictions, titles=titles)
    if n == 0:
        raise ValueError("images is empty")
    check_int("ncols", ncols, 1)
    for pairs in predictions:
        if any(not 0 <= p <= 1 for _, p in pairs):
            raise ValueError(f"probabilities must lie in [0, 1], got {[p for _, p in pairs]}")
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    # Constrained layout spaces each row by its own labels, so an image sits right on its bars.
    fig, axes = plt.subplots(2 * nrows, ncols, figsize=(4.4 * ncols, 5.4 * nrows), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 2] * nrows}, layout="constrained")
    for i in range(nrows * ncols):
        row, col = divmod(i, ncols)
        image_ax, bar_ax = axes[2 * row, col], axes[2 * row + 1, col]
        image_ax.axis("off")
        if i >= n:
            bar_ax.axis("off")
            continue
        image_ax.imshow(images[i])
        if titles is not None:
            image_ax.set_title(titles[i])
        names = [name for name, _ in predictions[i]][::-1]
        probs = [p for _, p in predictions[i]][::-1]
        bar_ax.barh(np.arange(len(probs)), probs, color="tab:blue")
        bar_ax.set_yticks(np.arange(len(probs)), names)
        bar_ax.set_xlim(0, 1)
        bar_ax.set_xlabel("probability")
    if suptitle:
        fig.suptitle(suptitle, fontsize="x-large", fontweight="bold")
    return fig


def token_attributions(tokens: Sequence[str], scores: Sequence[float] | np.ndarray,
                       ax: Axes | None = None, title: str | None = None, cmap: str = "RdBu_r",
                       max_chars_per_line: int = 70, label: str = "attribution") -> Axes:
    """Tokens laid out as text, each on a background whose colour encodes its score (red
    positive, blue negative, white zero), with a colour bar titled ``label``: a static
    stand-in for SHAP's JavaScript text plot."""
    vals = np.asarray(scores, dtype=float).reshape(-1)
    n = _check_lengths(tokens=tokens, scores=vals)
    if n == 0:
        raise ValueError("tokens is empty")
    if not np.all(np.isfinite(vals)):
        raise ValueError("scores contains NaN or infinite entries")
    if cmap not in mpl.colormaps:
        raise ValueError(f"unknown matplotlib colormap {cmap!r}")
    check_int("max_chars_per_line", max_chars_per_line, 10)
    lines: list[list[int]] = [[]]
    width = 0
    for i, token in enumerate(tokens):
        if width + len(token) + 1 > max_chars_per_line and lines[-1]:
            lines.append([])
            width = 0
        lines[-1].append(i)
        width += len(token) + 1
    colour_bar_axes = None
    if ax is None:
        # A 12-pt monospace character is about 0.1 inch wide: size the axes so that one data unit
        # on x is one character and the words sit evenly spaced; the colour bar goes below.
        width, height = 0.1 * max_chars_per_line + 0.6, 0.55 * len(lines) + 1.7
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0.3 / width, 1.1 / height, 1 - 0.6 / width, (height - 1.6) / height))
        colour_bar_axes = fig.add_axes((0.2, 0.5 / height, 0.6, 0.15 / height))
    bound = float(np.max(np.abs(vals))) or 1.0
    norm = mpl.colors.Normalize(-bound, bound)
    colour_map = mpl.colormaps[cmap]
    ax.set_xlim(0, max_chars_per_line)
    ax.set_ylim(len(lines), 0)
    ax.axis("off")
    for row, line in enumerate(lines):
        x = 0.0
        for i in line:
            strong = abs(vals[i]) > 0.6 * bound  # dark background: white text stays legible
            ax.text(x, row + 0.5, str(tokens[i]), va="center", ha="left", family="monospace",
                    fontsize=12, color="white" if strong else "black",
                    bbox={"boxstyle": "round,pad=0.2", "linewidth": 0,
                          "facecolor": colour_map(norm(vals[i]))})
            x += len(str(tokens[i])) + 1
    ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colour_map), ax=ax,
                       cax=colour_bar_axes, orientation="horizontal", label=label)
    if title:
        ax.set_title(title)
    return ax


def draw_boxes(ax: Axes, boxes: Sequence[Sequence[int]] | np.ndarray,
               colours: str | Sequence[str] = "white", linewidth: float = 3.0,
               linestyle: str = "-") -> list[Rectangle]:
    """Outline ground-truth boxes ``(x0, y0, x1, y1)`` (pixels, x1 and y1 exclusive, as
    ``utils.data`` gives them; one box or a stack of them) on an image drawn with ``imshow``.
    A box whose x0 is negative means "no object" and is skipped. One colour, or one per box."""
    array = np.asarray(boxes, dtype=float)
    if array.shape == (4,):
        array = array[None]
    if array.ndim != 2 or array.shape[1] != 4:
        raise ValueError(f"boxes must be (x0, y0, x1, y1) rows, got shape {np.shape(boxes)}")
    palette = [colours] * len(array) if isinstance(colours, str) else list(colours)
    if len(palette) != len(array):
        raise ValueError(f"{len(palette)} colours for {len(array)} boxes")
    drawn = []
    for (x0, y0, x1, y1), colour in zip(array, palette, strict=True):
        if x0 < 0:
            continue
        if x1 <= x0 or y1 <= y0:
            raise ValueError(f"box {(x0, y0, x1, y1)} is empty: need x1 > x0 and y1 > y0")
        # imshow centres pixel i at i, so its edges sit half a pixel either side.
        patch = Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False,
                          edgecolor=colour, linewidth=linewidth, linestyle=linestyle)
        drawn.append(ax.add_patch(patch))
    return drawn
