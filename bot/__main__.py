"""`python -m bot` is `citebot`."""

from bot.cli import main

main()
