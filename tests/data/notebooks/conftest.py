"""The fixture notebooks are run by tests/test_reproduce.py, never collected as tests (02_fails fails on purpose)."""
collect_ignore_glob = ["*.ipynb"]
