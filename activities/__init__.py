"""Temporal activities: the only place where callbacks touch the network and the store."""
