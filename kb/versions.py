"""pip release numbers: ordering, and the nearest synced release to a version seen in a log."""

import re

RELEASE = re.compile(r"^(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def version_tuple(version: str) -> tuple[int, int, int]:
    match = RELEASE.match(version.strip())
    if not match:
        return (0, 0, 0)
    return tuple(int(part or 0) for part in match.groups())  # type: ignore[return-value]


def version_key(version: str) -> str:
    """A string that sorts like the release: ``24.0`` -> ``0024.0000.0000``."""
    return ".".join(f"{part:04d}" for part in version_tuple(version))


def nearest_release(version: str | None, releases: list[str]) -> str | None:
    """The release to link for ``version``: itself when synced, else the closest one not newer
    (the code a log's pip ran is most like the release before it), else the oldest newer one.
    Unknown versions get the newest release."""
    if not releases:
        return None
    ordered = sorted(releases, key=version_tuple)
    if version is None:
        return ordered[-1]
    wanted = version_tuple(version)
    not_newer = [release for release in ordered if version_tuple(release) <= wanted]
    return not_newer[-1] if not_newer else ordered[0]
