"""Tests of one platform at a time, without the simulator (see conftest.py)."""
