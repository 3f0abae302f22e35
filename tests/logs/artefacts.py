"""Tiny wheels, sdists and a PEP 503 index, all made offline for the capture scenarios."""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import io
import re
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

UNIVERSAL_TAG = "py2.py3-none-any"
# Fixed times make every archive, hence every hash in the logs, the same on each run.
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Project:
    """A pure-Python distribution with one module named after it."""

    name: str
    version: str
    requires: tuple[str, ...] = ()
    requires_python: str | None = None
    console_scripts: tuple[str, ...] = ()
    tag: str = UNIVERSAL_TAG

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    @property
    def wheel_name(self) -> str:
        return f"{self.module}-{self.version}-{self.tag}.whl"


@dataclass(frozen=True)
class Sdist:
    """A source distribution: its files are written under `<name>-<version>/`."""

    name: str
    version: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"


def metadata_text(project: Project) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project.name}", f"Version: {project.version}"]
    if project.requires_python:
        lines.append(f"Requires-Python: {project.requires_python}")
    lines += [f"Requires-Dist: {requirement}" for requirement in project.requires]
    return "\n".join(lines) + "\n"


def _record_line(path: str, content: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(content)}"


def build_wheel(project: Project, directory: Path) -> Path:
    dist_info = f"{project.module}-{project.version}.dist-info"
    members = {
        f"{project.module}.py": f'"""{project.name} {project.version}"""\n\n\ndef main():\n    print("{project.name}")\n',
        f"{dist_info}/METADATA": metadata_text(project),
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: kb-capture\nRoot-Is-Purelib: true\nTag: {project.tag}\n",
    }
    if project.console_scripts:
        scripts = "".join(f"{script} = {project.module}:main\n" for script in project.console_scripts)
        members[f"{dist_info}/entry_points.txt"] = "[console_scripts]\n" + scripts
    encoded = {path: text.encode() for path, text in members.items()}
    record = [_record_line(path, content) for path, content in encoded.items()]
    encoded[f"{dist_info}/RECORD"] = ("\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel = directory / project.wheel_name
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in encoded.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=FIXED_ZIP_TIME), content)
    return wheel


def build_sdist(sdist: Sdist, directory: Path) -> Path:
    archive_path = directory / sdist.filename
    root = f"{sdist.name}-{sdist.version}"
    files = {"PKG-INFO": f"Metadata-Version: 2.1\nName: {sdist.name}\nVersion: {sdist.version}\n"} | sdist.files
    with (
        gzip.GzipFile(archive_path, "wb", mtime=0) as compressed,
        tarfile.open(fileobj=compressed, mode="w") as archive,
    ):
        for path, text in files.items():
            content = textwrap.dedent(text).lstrip().encode()
            info = tarfile.TarInfo(f"{root}/{path}")
            info.size = len(content)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(content))
    return archive_path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Old sdists keep the project's hyphens (`dbus-python-1.2.18.tar.gz`): the name ends before the first `-<digit>`.
_ARCHIVE_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+?)-\d")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_of(filename: str) -> str:
    """The normalised project name of a wheel or sdist file name (`Foo_Bar-1.0.tar.gz` and
    `Foo-Bar-1.0.tar.gz` are `foo-bar`)."""
    match = _ARCHIVE_NAME.match(filename)
    if not match:
        raise ValueError(f"not a distribution file name: {filename}")
    return normalise(match["name"])


def version_of(filename: str) -> str:
    if filename.endswith(".whl"):
        return filename.split("-")[1]
    return filename.removesuffix(".tar.gz").removesuffix(".zip").rpartition("-")[2]


def requires_python_of(archive: Path) -> str | None:
    """Requires-Python of a wheel, so the index can announce it as PyPI does."""
    if archive.suffix != ".whl":
        return None
    with zipfile.ZipFile(archive) as wheel:
        name = next(member for member in wheel.namelist() if member.endswith(".dist-info/METADATA"))
        for line in wheel.read(name).decode().splitlines():
            if line.startswith("Requires-Python:"):
                return line.partition(":")[2].strip()
            if not line:
                return None
    return None


def write_simple_index(root: Path, archives: list[Path]) -> None:
    """Lay out `root/files/<archive>` and `root/simple/<project>/index.html` (PEP 503)."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    by_project: dict[str, list[Path]] = {}
    for archive in archives:
        target = files / archive.name
        if not target.exists():
            target.write_bytes(archive.read_bytes())
        by_project.setdefault(project_of(archive.name), []).append(target)
    for project, targets in by_project.items():
        links = "".join(_anchor(target) for target in sorted(targets))
        page = root / "simple" / project / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n")
    # Every project page there, those of an earlier call included (a scenario may add projects).
    projects = sorted(page.parent.name for page in (root / "simple").glob("*/index.html"))
    names = "".join(f'<a href="{name}/">{name}</a>\n' for name in projects)
    (root / "simple" / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{names}</body></html>\n")


def _anchor(archive: Path) -> str:
    requires_python = requires_python_of(archive)
    attribute = f' data-requires-python="{html.escape(requires_python)}"' if requires_python else ""
    return f'<a href="../../files/{archive.name}#sha256={sha256_of(archive)}"{attribute}>{archive.name}</a>\n'
