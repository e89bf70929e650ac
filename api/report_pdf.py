"""The overlap report as PDF (压占分析报告 PDF), rendered from the printable page.

WeasyPrint: maintained (BSD, releases every few months), pure Python over Debian's pango
(libpango-1.0-0, libpangoft2-1.0-0), renders HTML + CSS paged media (A4, page numbers, table
headers repeated on each page) and inline SVG, and finds Chinese glyphs through fontconfig
(Debian's fonts-wqy-zenhei): one source for the page and the PDF, no browser at run time.
"""

from typing import Any

from api.report_page import overlap_html


def overlap_pdf(report: dict[str, Any]) -> bytes:
    """The PDF of ``report`` (A4)."""
    from weasyprint import HTML  # imported on use: pango loads only when a PDF is asked for

    return HTML(string=overlap_html(report)).write_pdf()
