"""``python -m creditfactory`` runs the CLI."""

from creditfactory.cli import main

main()
