"""supportstats: reproduce and test the headline numbers of customer-support survey reports.

Every public function is re-exported here (pingouin style); users never import submodules.
"""
from .errors import *  # noqa: F401,F403
from .estimate import *  # noqa: F401,F403
from .significance import *  # noqa: F401,F403
from .weights import *  # noqa: F401,F403
from .claims import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .schema import *  # noqa: F401,F403
from .clean import *  # noqa: F401,F403
from .synth import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403
from .findings import *  # noqa: F401,F403
from .notebook import *  # noqa: F401,F403

__version__ = "0.1.0"
