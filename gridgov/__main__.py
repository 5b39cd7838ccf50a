"""Allow `python -m gridgov`."""

from gridgov.cli import main

main()
