"""Dialogs: model picker, model manager, settings, command palette."""
