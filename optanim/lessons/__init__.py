"""Lessons with a pipeline of their own (they train no optimizer)."""
