"""What runs leave behind, as plain numpy arrays: recordings, landscapes, their export."""
