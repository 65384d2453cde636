"""``python -m bahth ...`` runs the ``bahth`` command."""

from bahth.cli import main

if __name__ == "__main__":
    main(prog_name="bahth")
