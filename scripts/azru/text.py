"""Text normalisation shared by quote checks and tests."""


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace (str.isspace) to one space and trim: the only change a quote may have."""
    return " ".join(text.split())
