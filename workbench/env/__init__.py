"""The circuit-growing environment: action table and encoding, masks, rewards, curricula,
random halting and the gymnasium ``CircuitGrowthEnv``."""
