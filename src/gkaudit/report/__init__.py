"""Renderers: pure functions from a ScanReport to text."""
