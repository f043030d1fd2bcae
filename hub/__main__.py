"""`python -m hub` runs the `hub` command."""

from hub.cli import main

main()
