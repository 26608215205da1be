"""Whether a language tag is valid (BCP 47, as langcodes judges it), without importing langcodes for the
tags a package nearly always holds: its data tables take a noticeable time to load."""

# Languages and scripts of the region and of its sources; each of their combinations is valid, as a test
# checks against langcodes.
COMMON_LANGUAGES = frozenset({"az", "ru", "en", "ar", "de", "fr", "tr", "uk", "fa", "ka", "hy", "und"})
COMMON_SCRIPTS = frozenset({"Latn", "Cyrl", "Arab"})


def is_common(tag: str) -> bool:
    """A language of COMMON_LANGUAGES, alone or with a script of COMMON_SCRIPTS, spelt as usual."""
    language, dash, script = tag.partition("-")
    return language in COMMON_LANGUAGES and (not dash or script in COMMON_SCRIPTS)


def is_valid(tag: str) -> bool:
    if is_common(tag):
        return True
    import langcodes

    valid: bool = langcodes.tag_is_valid(tag)
    return valid
