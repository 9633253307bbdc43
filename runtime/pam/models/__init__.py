"""Data types shared by the runtime and plugin code."""
