"""Tests of the reporting app (PDF, PAdES, verification, charts)."""
