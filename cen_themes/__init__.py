"""cen-themes: a workbench for qualitative thematic analysis and meta-synthesis."""

__version__ = "0.1.0"
NAME = "cen-themes"  # also how this program's REFI-QDA files name their origin
