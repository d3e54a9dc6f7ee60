#!/usr/bin/env python
from fivestar.cli import main

if __name__ == "__main__":
    main()
