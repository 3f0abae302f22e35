"""Entry content back to an entry file, in the format ``kb.catalogue`` reads.

An existing file is edited in place: a front matter key or a section whose value did not
change keeps its text, comments and quoting (tomlkit keeps the TOML's), so a diff of an export
shows only what changed. New values are written the way the shipped files write them.
"""

from pathlib import Path

import tomlkit
from tomlkit.items import String, StringType

from kb.catalogue import SECTION_FIELDS, EntryFile, parse_entry_text, section_lines

FRONT_ORDER = (
    "code",
    "tool",
    "title",
    "summary",
    "category",
    "severity",
    "status",
    "pip_versions",
    "verified_with",
    "related",
    "refines",
    "quick_fix",
    "symbols",
    "header",
)
OPTIONAL_KEYS = {"quick_fix", "pip_versions"}  # left out when empty
SECTION_HEADINGS = {name: heading.capitalize() for heading, name in SECTION_FIELDS.items()}


def entry_file_text(front: dict, sections: dict[str, str], causes: list[list[str]], existing: str | None) -> str:
    """The file for this content. ``front`` holds the values as an entry file spells them
    (``status`` included, ``signatures`` as tables); ``existing`` is the file's current text."""
    if existing is None:
        document = tomlkit.document()
        update_front(document, front, {})
        markdown = "\n\n".join(section_texts(sections, causes, "", None))
        return f"+++\n{tomlkit.dumps(document).strip(chr(10))}\n+++\n\n{markdown}\n"
    _, front_text, body = existing.split("+++", 2)
    document = tomlkit.parse(front_text)
    old = parse_entry_text(existing, Path("the existing file"))
    update_front(document, front, old.front)
    markdown = "\n\n".join(section_texts(sections, causes, body, old))
    before, after = body[: len(body) - len(body.lstrip())], body[len(body.rstrip()) :]
    return f"+++{tomlkit.dumps(document)}+++{before}{markdown}{after or chr(10)}"


def update_front(document: tomlkit.TOMLDocument, front: dict, old_front: dict) -> None:
    for key in FRONT_ORDER:
        value = front.get(key, "")
        if key in old_front and normalized(key, old_front[key]) == normalized(key, value):
            continue
        if value or not old_front and key not in OPTIONAL_KEYS:
            set_value(document, key, value)
        else:  # an empty value: left out, as the file had it or as optional keys are
            document.pop(key, None)
    signatures = [signature_table(spec) for spec in front.get("signatures", [])]
    old_signatures = [signature_table(spec) for spec in old_front.get("signatures", [])]
    if signatures != old_signatures or "signatures" not in document and signatures:
        document.pop("signatures", None)
        if signatures:
            tables = tomlkit.aot()
            for spec in signatures:
                table = tomlkit.table()
                for name, value in spec.items():
                    table.add(name, plain_string(value) if isinstance(value, str) else value)
                tables.append(table)
            document.add(tomlkit.nl())
            document.append("signatures", tables)


def normalized(key: str, value):
    """Values as the database keeps them: order of links and surrounding newlines do not count."""
    if key in ("related", "refines"):
        return sorted(value)
    if key in ("header", "quick_fix"):
        return value.strip("\n").strip() if key == "quick_fix" else value.strip("\n")
    return value


def set_value(document: tomlkit.TOMLDocument, key: str, value) -> None:
    item = toml_value(key, value)
    if key in document:
        document[key] = item
        return
    following = [name for name in FRONT_ORDER[FRONT_ORDER.index(key) + 1 :] if name in document]
    if following:
        insert_before(document, following[0], key, item)
    else:
        document.add(key, item)


def insert_before(document: tomlkit.TOMLDocument, before: str, key: str, item) -> None:
    items = list(document.items())
    for name, _ in items:
        document.remove(name)
    for name, existing in items:
        if name == before:
            document.add(key, item)
        document.add(name, existing)


def toml_value(key: str, value):
    if key == "header":
        # Written as the shipped files write it: the text on its own lines between """.
        text = value.strip("\n") + "\n"
        escaped = text.replace("\\", "\\\\").replace('"""', '""\\"')
        return String(StringType.MLB, text, "\n" + escaped, tomlkit.items.Trivia())
    if isinstance(value, str):
        return plain_string(value)
    return value


def plain_string(value: str):
    """A literal string for a pattern full of backslashes, a basic one otherwise."""
    if "\\" in value and "'" not in value and "\n" not in value:
        return tomlkit.string(value, literal=True)
    if "\\" in value and "'''" not in value and not value.startswith(("'", "\n")) and not value.endswith("'"):
        return tomlkit.string(value, literal=True, multiline=True)
    return tomlkit.string(value)


def signature_table(spec: dict) -> dict:
    """A signature's keys as the files write them: the defaults are left out."""
    table = {"pattern": spec["pattern"]}
    if spec.get("regex"):
        table["regex"] = True
    if spec.get("detail"):
        table["detail"] = spec["detail"]
    if spec.get("only_if_failed"):
        table["only_if_failed"] = True
    return table


def section_texts(sections: dict[str, str], causes: list, body: str, old: EntryFile | None) -> list[str]:
    """One text per section with something to say, in the README's order; unchanged ones as written."""
    written = {
        heading.lower(): "\n".join([f"## {heading}", *lines]).rstrip("\n") for heading, lines in raw_sections(body)
    }
    texts = []
    for heading, name in SECTION_FIELDS.items():
        markdown = section_markdown(name, sections, causes)
        unchanged = old is not None and section_markdown(name, old.sections, old.causes) == markdown
        if markdown and unchanged and heading in written:
            texts.append(written[heading])
        elif markdown:
            texts.append(f"## {SECTION_HEADINGS[name]}\n\n{markdown}")
    return texts


def section_markdown(name: str, sections: dict[str, str], causes: list) -> str:
    if name == "causes":
        return "\n\n".join(f"### {title}\n{text}" for title, text in causes)
    return sections.get(name, "")


def raw_sections(body: str) -> list[tuple[str, list[str]]]:
    return section_lines(body, level=2, source=Path("the existing file")) if body.strip() else []
