"""``python -m simulator`` runs the same command as the ``staffsim`` console script."""

from simulator.cli import main

if __name__ == "__main__":
    main()
