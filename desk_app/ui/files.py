"""File dialogs in Persian: Qt's own dialog (translated by qtbase_fa, see ui.i18n), Jalali dates in
its list, opening in Documents/«میز پیشخوان» with a Jalali file name suggested.

The platform's native dialog is not used: on Linux without a desktop theme it is Qt's anyway,
and where it is native (Windows, GNOME portal) it follows the system's language and calendar,
not the program's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QIdentityProxyModel, QLocale, QModelIndex, QPersistentModelIndex, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFileSystemModel,
    QStyledItemDelegate,
    QTreeView,
    QWidget,
)

from desk_app.domain.jalali import to_jalali, today_tehran

FOLDER_NAME = "میز پیشخوان"
SIZE_COLUMN, DATE_COLUMN = 1, 3  # QFileSystemModel: name, size, type, date modified


def documents_folder() -> Path:
    """Documents/«میز پیشخوان», made when first needed (the program's own folder was the default)."""
    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    base = Path(docs) if docs else Path.home() / "Documents"
    folder = base / FOLDER_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path.home()
    return folder


def jalali_file_name(stem: str, suffix: str, day: dt.date | None = None) -> str:
    """`1405-09-12_<stem>.<suffix>`: the Jalali day first, so the files sort by date."""
    j = to_jalali(day or today_tehran())
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}_{stem}.{suffix}"


class LtrNames(QStyledItemDelegate):
    """File names such as «1405-09-12_4512-2-050912-0004.pdf» drawn left to right: in the RTL
    dialog they came out as «pdf.050912-0004…4512_1405-09-12»."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt's name
        super().initStyleOption(option, index)
        option.direction = Qt.LayoutDirection.LeftToRight
        option.displayAlignment = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class JalaliDates(QIdentityProxyModel):
    """The dialog's "date modified" column in the Jalali calendar, Persian digits, Tehran time, and
    sizes in Persian («۹ بایت»)."""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if index.column() == SIZE_COLUMN and role == Qt.ItemDataRole.DisplayRole:
            source = self.sourceModel()
            if isinstance(source, QFileSystemModel):
                inner = self.mapToSource(index)
                if not source.isDir(inner):  # Qt writes it in the system's locale ("9 bytes")
                    return QLocale().formattedDataSize(source.size(inner))
        if index.column() == DATE_COLUMN and role == Qt.ItemDataRole.DisplayRole:
            source = self.sourceModel()
            if isinstance(source, QFileSystemModel):
                stamp = source.lastModified(self.mapToSource(index))
                if stamp.isValid():
                    return jalali_stamp(stamp.toSecsSinceEpoch())
        return super().data(index, role)


def jalali_stamp(epoch_s: int) -> str:
    from desk_app.domain.jalali import format_jalali_datetime

    return format_jalali_datetime(dt.datetime.fromtimestamp(epoch_s, tz=dt.UTC))


def make_file_dialog(
    parent: QWidget | None,
    title: str,
    suggested: str = "",
    name_filter: str = "",
    *,
    mode: str = "save",
    folder: Path | str | None = None,
) -> QFileDialog:
    """The dialog, not yet shown (tests open it themselves). `mode`: save, open or folder."""
    start = Path(folder) if folder else documents_folder()
    dialog = QFileDialog(parent, title, str(start), name_filter)
    dialog.setObjectName("persian_file_dialog")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    if mode == "save":
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        if suggested:
            dialog.selectFile(suggested)
        suffix = Path(suggested).suffix.lstrip(".")
        if suffix:
            dialog.setDefaultSuffix(suffix)
    elif mode == "folder":
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    else:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.setProxyModel(JalaliDates(dialog))
    names = LtrNames(dialog)
    for view in dialog.findChildren(QAbstractItemView):
        if view.objectName() in ("treeView", "listView"):
            view.setItemDelegateForColumn(0, names)
        if isinstance(view, QTreeView):
            view.setColumnHidden(2, True)  # the system's file type, in English ("PDF document")
    return dialog


def persian_file_dialog(
    parent: QWidget | None,
    title: str,
    suggested: str = "",
    name_filter: str = "",
    *,
    mode: str = "save",
    folder: Path | str | None = None,
) -> str:
    """The chosen path, or "" when the clerk cancelled."""
    dialog = make_file_dialog(parent, title, suggested, name_filter, mode=mode, folder=folder)
    if dialog.exec() != QFileDialog.DialogCode.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""
