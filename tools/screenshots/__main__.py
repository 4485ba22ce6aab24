"""``python -m tools.screenshots FOLDER``: every picture of docs/screenshots/."""

import sys

from tools.screenshots.render_all import main

raise SystemExit(main(sys.argv[1:]))
