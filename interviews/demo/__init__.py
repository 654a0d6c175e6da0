"""The demo project: fictional interviews, a codebook and coded quotes (`seed_demo`)."""
