"""pivot: a terminal explorer for the claims news articles make about Big Tech's AI pivot."""

__version__ = "0.1.0"
