"""The Code dock's views of project files: highlighted, numbered, searchable, editable.

`panel.CodePanel` is the dock's content (file tree, project search, code tabs);
`code_view.CodeView` shows one file; `lexing` and `fuzzy` are the Qt-free parts.
"""
