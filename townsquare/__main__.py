"""``python -m townsquare`` is the same as the ``townsquare`` command."""

from townsquare.cli import main

main()
