"""Frozen entry point: the same `main()` as the `qwenasr-desktop` console script."""

from qwenasr_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
