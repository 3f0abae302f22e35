"""What the engine hands back: small dataclasses with a to_dict() for the JSON API."""

from dataclasses import asdict, dataclass, field


@dataclass
class Match:
    code: str
    tool: str  # the program whose output it was found in: pip, or the installer that ran a build
    severity: str  # "error" | "warning"
    lines: tuple[int, int]  # 1-based and inclusive, in the text as submitted
    excerpt: str
    facts: dict[str, str] = field(default_factory=dict)
    signature_key: int | None = None
    consequence_of: str | None = None  # the root cause's code, when this match wraps it

    def to_dict(self) -> dict:
        return {**asdict(self), "lines": list(self.lines)}


@dataclass
class Diagnosis:
    matches: list[Match]  # root cause first; errors before warnings
    failed: bool  # False when the log shows only warnings
    pip_version: str | None = None
    python_version: str | None = None
    facts: dict[str, str] = field(default_factory=dict)  # platform, index_host, build_backend
    log: bytes = field(default=b"", repr=False)  # as the engine read it: without terminal noise and secrets
    redacted: int = 0  # secrets removed from it
    outcome: str = "unknown"  # failed | succeeded | warnings | other-tool | unknown
    tool: str = "pip"  # whose output the log is: pip, or the other tool's name
    partial: str = ""  # why part of the log was not read (it was made to cost too much); empty if all was
    removed_from: int | None = None  # the first line removed unread past the secrets limit, if any
    cut_at: int | None = None  # the line the scan stopped at when the log repeats what it looks for
    unread_reasons: tuple[str, ...] = ()  # why else part of the log was not read, as `partial` says it

    @property
    def root_cause(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "tool": self.tool,
            "failed": self.failed,
            "pip_version": self.pip_version,
            "python_version": self.python_version,
            "facts": dict(self.facts),
            "partial": self.partial or None,
            "matches": [match.to_dict() for match in self.matches],
        }
