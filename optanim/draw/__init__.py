"""From arrays to frames: the storyboard, the clock, the layout and the animator."""
