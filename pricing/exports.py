"""`.xlsx` exports of the tables regulators read (linkage cases, overdue cases, yearly items,
complaints)."""

from core.exports import dated_xlsx_response


def xlsx_response(title: str, headers: list, rows, filename: str):
    """Numbers stay numbers; prices, dates and labels are written as the text the pages show."""
    return dated_xlsx_response(filename, headers, (
        [("" if v is None else v if isinstance(v, int | float) else str(v)) for v in row] for row in rows
    ), title=title)
