"""``python -m simulator`` runs the same command as the ``staffsim`` console script."""

from simulator.processes import interruptible

if __name__ == "__main__":
    with interruptible():  # from the first moment: loading the command takes a while
        from simulator.cli import main

        main()
