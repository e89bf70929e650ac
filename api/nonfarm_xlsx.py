"""The 非农化 candidate list as an Excel workbook (CLI ``raster nonfarm --xlsx`` and the map's
download): candidates first, then the parcels the raster covers too little to judge."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from gis.area import M2_PER_MU

HEADER = ["标识码 BSM", "地类编码", "坐落单位", "图斑面积（亩）", "非耕地覆盖比例", "说明"]


def nonfarm_workbook(result: dict) -> bytes:
    """``result`` of :func:`layers.nonfarm.nonfarm_screening` as an .xlsx file's bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "非农化候选"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for c in result["candidates"]:
        sheet.append(
            [
                c["bsm"],
                c["dlbm"],
                c["zldwmc"],
                round(c["area_m2"] / M2_PER_MU, 2),
                round(c["nonfarm_share"], 4),
                "候选，待实地核查（不是认定）",
            ]
        )
    for u in result["undetermined"]:
        row = [u["bsm"], u["dlbm"], u["zldwmc"], round(u["area_m2"] / M2_PER_MU, 2), None]
        sheet.append([*row, u["reason"]])
    for column, width in zip("ABCDEF", (22, 10, 16, 14, 16, 36), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明")
    for line in (
        f"阈值：非耕地覆盖比例 > {result['threshold']:.0%}",
        f"筛查耕地图斑：{result['parcels']} 个；候选 {len(result['candidates'])} 个；"
        f"无法判定 {len(result['undetermined'])} 个",
        "候选清单供实地核查，不是违法认定；比例为土地覆盖栅格中非耕地像元按面积加权的占比。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    out = BytesIO()
    book.save(out)
    return out.getvalue()
