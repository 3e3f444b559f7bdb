"""Pure text helpers shared by rules and services (no Django imports)."""

# How many characters of a user's value an error message may quote: a cell can hold
# megabytes, and an error page or JSON body that echoes it whole is itself an attack.
EXCERPT_CHARS = 20


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """`value` as an error message may quote it: at most `limit` characters, one line."""
    text = "" if value is None else str(value)
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[:limit] + "…"
