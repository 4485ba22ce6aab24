"""``python -m tools.documents FOLDER``: every document of docs/documents/."""

import sys

from tools.documents.render_all import main

raise SystemExit(main(sys.argv[1:]))
