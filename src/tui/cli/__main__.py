"""`python -m tui.cli`: the same as `pivot`."""

from tui.cli import main

main()
