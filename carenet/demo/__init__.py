"""The Chumphon demo: areas, users and (with the registry) volunteers and households.

It runs only in demo mode (CARENET_DEMO=true); production settings refuse demo mode, and a
production process refuses to start while demo users exist.
"""
