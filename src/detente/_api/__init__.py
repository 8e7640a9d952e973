"""The private modules behind :mod:`detente.api`, one part of the API each."""
