"""Thin helpers shared by the course notebooks: data, models, images, plotting, runtime set-up.

The teaching code (each method written from scratch) lives in the notebooks; this package only
holds the boilerplate that several notebooks would otherwise repeat.
"""

__version__ = "0.1.0"
