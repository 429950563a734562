"""The command line: a thin Typer app over the Python API.

Each command lives in its own module and registers itself on the shared ``app`` when
imported; this package imports them all.
"""

from __future__ import annotations

from .app import app, main  # noqa: F401
from . import languages_cmd, run_cmd  # noqa: F401,E402
from . import fidelity_cmd, multi_if_cmd  # noqa: F401,E402
from . import tokenizers_cmd, corpora_cmd  # noqa: F401,E402
from . import compare_cmd, eval_cmd  # noqa: F401,E402
from . import store_cmd  # noqa: F401,E402
from . import align_cmd  # noqa: F401,E402
from . import models_cmd  # noqa: F401,E402
from . import trim_cmd  # noqa: F401,E402
from . import doctor_cmd  # noqa: F401,E402
from . import tasks_cmd  # noqa: F401,E402
from . import probe_cmd  # noqa: F401,E402
from . import transfer_cmd, card_cmd  # noqa: F401,E402  (h-transfer, issue 13)
