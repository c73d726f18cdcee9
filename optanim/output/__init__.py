"""From frames to files: quality presets, atomic files, ffmpeg, the writers and parallel drawing."""
