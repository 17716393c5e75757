"""The circuit-growing environment: action table, encoding, masks (rewards, curricula to come)."""
