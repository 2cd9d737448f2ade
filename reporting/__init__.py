"""Document machinery shared by every app: PDF rendering, PAdES sealing, verification, charts.

This app is on the ground floor (DESIGN.md): it imports no business app.
"""
