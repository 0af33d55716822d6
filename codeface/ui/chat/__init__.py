"""The chat pane: transcript of Markdown messages with code blocks, and the composer.

The window embeds `ChatPane` and talks to it with `codeface.application.contract.MessageView`s.
"""

from codeface.ui.chat.pane import ChatPane
from codeface.ui.chat.services import ChatServices

__all__ = ["ChatPane", "ChatServices"]
