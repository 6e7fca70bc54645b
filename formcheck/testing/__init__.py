"""Support for tests and benchmarks, not used by a run: synthetic landmark tracks and scoring against ground truth."""
