"""The one content hash of the workbench: SHA-256 of canonical JSON (sorted keys).

Problem cache keys, cache-file checksums, run-config hashes and report provenance all use it,
so the same content gives the same hash wherever it is computed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def json_sha256(data: Any) -> str:
    """Hex SHA-256 of ``json.dumps(data, sort_keys=True)``."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
