"""The demo projects: fictional interviews, a codebook and coded quotes (`seed_demo`).

It fills both apps (`interviews` and `coding`), so it lives beside them, not in either.
"""
