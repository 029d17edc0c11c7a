"""Checks any backend of the game site's API against the contract in openapi.yaml."""
