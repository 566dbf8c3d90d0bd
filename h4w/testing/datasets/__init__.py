"""Dataset fixture writers (upstream layouts) for the tests."""
