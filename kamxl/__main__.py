"""``python -m kamxl``: the same command line as the ``kamxl`` script, for when the script is not on PATH."""

from kamxl.cli import main

main()
