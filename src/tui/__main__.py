"""`python -m tui`: the same as `pivot`."""

from tui.launch import main

main()
