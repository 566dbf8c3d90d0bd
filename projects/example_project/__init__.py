"""Example plugin: a custom whole-body dataset, its metric and a head."""
