"""示例数据 on every file a bureau takes away: the Excel workbooks and the printable report
say so plainly when the demonstration dataset is loaded (issue 16, defect 10), whichever
builder made them (api/workbooks.py, api/report_page.py): the label is applied to their
output, so a new sheet or section cannot forget it."""

import html
import io

from openpyxl import load_workbook
from openpyxl.styles import Font
from sqlalchemy import Engine

from etl.provenance import DEMO_LABEL, DEMO_NOTE, demo_layers
from layers.registry import LAYERS
from layers.settings import Settings

NOTE_SHEET = "示例数据说明"
_RED = Font(bold=True, color="B71C1C")


def demo_names(engine: Engine, settings: Settings) -> list[str]:
    """Chinese names of the layers holding demonstration data (empty: none)."""
    return [LAYERS[k].name_zh for k in demo_layers(engine, settings.data_dir)]


def _line(names: list[str]) -> str:
    return f"【{DEMO_LABEL}】{'、'.join(names)} 为程序生成的示例数据，不是真实成果（synthetic demonstration data）"


def label_workbook(content: bytes, names: list[str]) -> bytes:
    """Every sheet's title cell starts with 【示例数据】 and its printed header says so; a
    last sheet explains which layers are synthetic. Unchanged when ``names`` is empty."""
    if not names:
        return content
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        title = sheet["A1"].value
        sheet["A1"].value = f"【{DEMO_LABEL}】{title if title is not None else ''}"
        sheet["A1"].font = _RED
        sheet.oddHeader.center.text = f"{DEMO_LABEL}（synthetic）——不是真实成果"
        sheet.oddHeader.center.color = "B71C1C"
    note = book.create_sheet(NOTE_SHEET)
    note.append([_line(names)])
    note["A1"].font = _RED
    note.append([DEMO_NOTE])
    note.append(["涉及图层："])
    for name in names:
        note.append([name])
    note.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def label_html(page: str, names: list[str]) -> str:
    """A red banner at the top of a printable page (printed too). Unchanged when empty."""
    if not names:
        return page
    banner = (
        '<div class="ws-demo-label" role="alert" style="border:2px solid #b71c1c;'
        'color:#b71c1c;font-weight:bold;padding:6px 10px;margin:0 0 12px">'
        f"{html.escape(_line(names))}<br>{html.escape(DEMO_NOTE)}</div>"
    )
    head, sep, rest = page.partition("<body>")
    if not sep:
        return banner + page
    return head + sep + "\n" + banner + rest
