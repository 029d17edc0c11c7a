"""A stateful mock of the game site's API, built with connexion from its OpenAPI contract."""

__version__ = "0.1.0"

import warnings

# Connexion imports Starlette's test client at import time, which warns about httpx on every
# start of the mock; the test client is not used here.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
