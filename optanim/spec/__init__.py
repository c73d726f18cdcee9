"""What to run: scenes, the problems they pose, the runs they train, and their checks."""
