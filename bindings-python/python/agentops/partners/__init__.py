"""Integrations with other frameworks (agentops 0.3's `agentops.partners`)."""
