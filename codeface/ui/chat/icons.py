"""Small line icons drawn with QPainter (no icon files, no emoji font needed).

Each icon is drawn on a 16×16 grid at 2× resolution in the colour asked for, so it
follows the theme. Cached by (name, colour, filled).
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QTransform

_SCALE = 2


def _thumb() -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(QRectF(1.5, 7.0, 3.0, 7.5), 0.8, 0.8)
    hand = QPainterPath(QPointF(6.0, 7.5))
    hand.lineTo(8.6, 2.2)
    hand.quadTo(10.6, 2.0, 10.4, 4.2)
    hand.lineTo(9.9, 6.6)
    hand.lineTo(13.4, 6.6)
    hand.quadTo(15.0, 6.9, 14.6, 8.6)
    hand.lineTo(13.5, 13.6)
    hand.quadTo(13.2, 14.6, 12.0, 14.6)
    hand.lineTo(6.0, 14.6)
    hand.closeSubpath()
    return path.united(hand)


def _draw(painter: QPainter, name: str, filled: bool, color: QColor) -> None:
    if name in ("thumb_up", "thumb_down"):
        path = _thumb()
        if name == "thumb_down":
            path = QTransform(1, 0, 0, -1, 0, 16.5).map(path)
        if filled:
            painter.fillPath(path, color)
        painter.drawPath(path)
    elif name == "copy":
        painter.drawRoundedRect(QRectF(5.5, 5.5, 8.5, 9.0), 1.5, 1.5)
        painter.drawPolyline(
            [
                QPointF(3.5, 11.0),
                QPointF(2.5, 11.0),
                QPointF(2.5, 2.5),
                QPointF(10.5, 2.5),
                QPointF(10.5, 3.5),
            ]
        )
    elif name == "regenerate":
        painter.drawArc(QRectF(2.5, 2.5, 11.0, 11.0), 60 * 16, 290 * 16)
        arrow = QPainterPath(QPointF(10.2, 1.4))
        arrow.lineTo(11.6, 4.2)
        arrow.lineTo(8.6, 4.8)
        painter.drawPath(arrow)
    elif name == "edit":
        pencil = QPainterPath(QPointF(2.5, 13.5))
        pencil.lineTo(3.2, 10.4)
        pencil.lineTo(10.8, 2.8)
        pencil.lineTo(13.2, 5.2)
        pencil.lineTo(5.6, 12.8)
        pencil.closeSubpath()
        painter.drawPath(pencil)
        painter.drawLine(QPointF(9.2, 4.4), QPointF(11.6, 6.8))
    elif name == "attach":
        clip = QPainterPath(QPointF(11.5, 6.0))
        clip.lineTo(6.5, 11.0)
        clip.arcTo(QRectF(4.0, 8.5, 3.5, 3.5), -45, -180)
        clip.lineTo(10.5, 3.5)
        clip.arcTo(QRectF(9.8, 2.0, 5.0, 5.0), 135, -180)
        clip.lineTo(6.8, 13.2)
        clip.arcTo(QRectF(1.5, 8.0, 6.5, 6.5), -45, -180)
        clip.lineTo(8.5, 2.5)
        painter.drawPath(clip)
    elif name == "send":
        arrow = QPainterPath(QPointF(8.0, 2.5))
        arrow.lineTo(13.0, 7.5)
        arrow.moveTo(8.0, 2.5)
        arrow.lineTo(3.0, 7.5)
        arrow.moveTo(8.0, 2.5)
        arrow.lineTo(8.0, 13.5)
        painter.drawPath(arrow)
    elif name == "stop":
        painter.fillRect(QRectF(4.0, 4.0, 8.0, 8.0), color)
    elif name == "down":
        arrow = QPainterPath(QPointF(8.0, 2.5))
        arrow.lineTo(8.0, 13.0)
        arrow.moveTo(3.5, 8.5)
        arrow.lineTo(8.0, 13.0)
        arrow.lineTo(12.5, 8.5)
        painter.drawPath(arrow)


@lru_cache(maxsize=128)
def icon(name: str, color: str, filled: bool = False) -> QIcon:
    """A themed line icon: thumb_up, thumb_down, copy, regenerate, edit, attach, send,
    stop, down."""
    pixmap = QPixmap(16 * _SCALE, 16 * _SCALE)
    pixmap.setDevicePixelRatio(_SCALE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    qcolor = QColor(color)
    pen = QPen(qcolor, 1.3)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    _draw(painter, name, filled, qcolor)
    painter.end()
    return QIcon(pixmap)
