"""Request parameters and media types shared by several route modules (so no route module
imports another)."""

#: A period as the checks take it: a year 2025, a quarter 2025-Q2 or a month 2025-06.
PERIOD_PATTERN = r"^\d{4}(-\d{1,2}|-[Qq][1-4])?$"
#: The Excel workbook media type of the downloads.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
