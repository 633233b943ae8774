"""The audit log: an append-only, per-county hash chain of every change of state, login, refusal and reveal."""
