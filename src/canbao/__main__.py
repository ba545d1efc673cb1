"""``python -m canbao``: the same as the ``canbao`` command."""

from canbao.cli import main

main()
