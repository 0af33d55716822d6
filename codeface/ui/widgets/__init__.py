"""Widgets of the main window (sidebar, status bar, docks, welcome screen)."""
