import sys

from webmap.cli import main

sys.exit(main())
