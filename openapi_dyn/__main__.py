"""``python -m openapi_dyn`` runs the ``openapi-dyn`` command."""
import sys

from ._cli import main

sys.exit(main())
