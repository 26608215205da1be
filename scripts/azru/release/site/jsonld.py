"""The landing page's schema.org `Dataset`, the description Google Dataset Search reads: name, description,
licence, time and place covered, the files with their addresses and formats, version, identifier, creator."""

from datetime import date
from typing import Any

from azru.release.site.downloads import Download
from azru.release.site.model import Site

WHOLE_PACKAGE = ("application/zip", "application/vnd.sqlite3")  # the files that hold every table
EVENTS, DATE, COUNTRY, COUNTRIES = "events", "date", "country", "countries"


def dataset(site: Site, files: list[Download]) -> dict[str, Any]:
    descriptor = site.package.descriptor
    name = descriptor.get("title") or descriptor["name"]
    described: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": name,
        "description": descriptor.get("description") or name,
        "version": descriptor["version"],
        "identifier": descriptor.get("id") or descriptor.get("homepage") or descriptor["name"],
        "keywords": descriptor.get("keywords", []),
        "isAccessibleForFree": True,
        "creator": [
            {"@type": "Organization", "name": person.get("title", "")}
            for person in descriptor.get("contributors", [])
            if "creator" in person.get("roles", [])
        ],
        "distribution": [
            {"@type": "DataDownload", "contentUrl": file.url, "encodingFormat": file.media_type, "name": file.name}
            for file in files
            if file.media_type in WHOLE_PACKAGE
        ],
    }
    licences = [licence["path"] for licence in descriptor.get("licenses", []) if licence.get("path")]
    if licences:
        described["license"] = licences[0]
    if descriptor.get("homepage"):
        described["url"] = descriptor["homepage"]
    coverage = temporal_coverage(site)
    if coverage:
        described["temporalCoverage"] = coverage
    places = spatial_coverage(site)
    if places:
        described["spatialCoverage"] = places
    return described


def temporal_coverage(site: Site) -> str | None:
    """ISO 8601 interval from the earliest to the latest possible day of the events."""
    events = site.frames.get(EVENTS)
    if events is None or f"{DATE}_lower" not in events.columns:
        return None
    earliest, latest = events[f"{DATE}_lower"].min(), events[f"{DATE}_upper"].max()
    if not (isinstance(earliest, date) and isinstance(latest, date)):
        return None
    return f"{earliest.isoformat()}/{latest.isoformat()}"


def spatial_coverage(site: Site) -> list[dict[str, str]]:
    """The countries the events happened in, by name."""
    events = site.frames.get(EVENTS)
    if events is None or COUNTRY not in events.columns:
        return []
    names = site.labels.get(COUNTRIES, {})
    codes = sorted(code for code in events[COUNTRY].unique().to_list() if code)
    return [{"@type": "Country", "name": names.get(code, code), "identifier": code} for code in codes]
