"""Views put on a stage: the figure's layout, the grid of panels side by side, and the animator that
draws them frame by frame (below: views/; above: output/, which writes the frames)."""
