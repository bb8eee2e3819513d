"""Data the package ships about specs: the registry of bundled spec names and repair overlays (read with importlib.resources)."""
