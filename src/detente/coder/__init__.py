"""The text coder: English news sentences into CAMEO events."""
