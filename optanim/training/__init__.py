"""Real torch.optim runs: the optimizer registry, the device, the recorder and its cache."""
