"""read_log and redact: what reaches the engine, and what never leaves it."""

import codecs

import pytest

from kb.diagnosis import REDACTED, EmptyLog, LogTooLarge, Matcher, NotText, Signature, log_text, read_log, redact

LIMIT = 1024 * 1024


class TestReadLog:
    def test_it_keeps_utf8_and_drops_a_byte_order_mark(self) -> None:
        assert read_log(codecs.BOM_UTF8 + "× Failed".encode(), LIMIT) == "× Failed".encode()
        assert read_log("\ufeff× Failed", LIMIT) == "× Failed".encode()

    def test_it_shows_invalid_utf8_replaced_instead_of_refusing_it(self) -> None:
        assert log_text(read_log(b"ERROR: caf\xe9 \xff\n", LIMIT)) == "ERROR: caf\ufffd \ufffd\n"

    def test_it_reads_utf16_with_a_bom_as_powershell_writes_it(self) -> None:
        data = codecs.BOM_UTF16_LE + "ERROR: Exception:\r\n".encode("utf-16-le")
        assert read_log(data, LIMIT) == b"ERROR: Exception:\r\n"

    def test_it_shows_utf16_cut_off_in_the_middle_of_a_character_replaced(self) -> None:
        data = codecs.BOM_UTF16_LE + "ERROR: Exception:\r\n".encode("utf-16-le") + b"E"
        assert log_text(read_log(data, LIMIT)) == "ERROR: Exception:\r\n\ufffd"

    def test_it_reads_a_text_of_over_a_million_characters_whole(self) -> None:
        text = "× Building wheel for numpy did not run successfully.\n" + "x" * (1 << 20) + "\nerror\n"
        assert read_log(text, 2 * LIMIT) == text.encode()

    @pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", "", codecs.BOM_UTF8])
    def test_it_refuses_an_empty_log_with_a_sentence(self, data: bytes | str) -> None:
        with pytest.raises(EmptyLog, match=r"^The log is empty: paste the output of the pip command that failed\.$"):
            read_log(data, LIMIT)

    def test_it_refuses_binary_data(self) -> None:
        with pytest.raises(
            NotText, match=r"^This looks like a binary file, not a text log: paste pip's output as text\.$"
        ):
            read_log(b"\x7fELF\x02\x01\x01" + b"\x00" * 200 + b"text", LIMIT)

    def test_it_refuses_bytes_over_the_limit(self) -> None:
        with pytest.raises(LogTooLarge, match="larger than 1 MB"):
            read_log(b"x" * (LIMIT + 1), LIMIT)

    def test_it_counts_the_limit_in_utf8_bytes_for_text(self) -> None:
        assert read_log("é" * (LIMIT // 2), LIMIT)
        with pytest.raises(LogTooLarge):
            read_log("é" * (LIMIT // 2 + 1), LIMIT)

    def test_a_text_of_exactly_the_limit_is_read(self) -> None:
        assert len(read_log("x" * LIMIT, LIMIT)) == LIMIT
        assert len(read_log(b"x" * LIMIT, LIMIT)) == LIMIT

    def test_it_reads_one_huge_line_without_newline(self) -> None:
        assert len(read_log(b"a" * (10 * LIMIT), 10 * LIMIT)) == 10 * LIMIT


# Each secret format, in the context it is pasted in, and the text that must vanish.
SECRETS = [
    ("Looking in indexes: https://alice:s3cr3tpass@pypi.corp.example/simple", "alice:s3cr3tpass"),
    ("pip install -i https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@example.org/simple x", "ghp_abcdef"),
    ("twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmcCJDY3ZTc2NjU5 dist/*", "pypi-AgEIcHlwaS5vcmcC"),
    ("git clone https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r", "ghs_16C7e42F"),
    ("GH_TOKEN: github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG"),
    ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
    ("curl -H 'Authorization: Basic YWxpY2U6czNjcjN0' https://example.org", "YWxpY2U6czNjcjN0"),
    ("> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig", "eyJhbGciOiJIUzI1NiJ9"),
    ("pip config set global.index-url https://example.org --password hunter2x", "hunter2x"),
    ("docker login -u bob -p Sup3rSecret registry.example.org", "Sup3rSecret"),
    ("Downloading https://example.org/simple/pkg/?token=abc123def456", "abc123def456"),
    ("export TWINE_PASSWORD=correct-horse-battery", "correct-horse-battery"),
    ("PIP_INDEX_URL=https://u:glpat-abcdefghij0123456789@gitlab.example.com/api/v4/simple", "glpat-abcdefghij"),
    ("//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghij"),
]


class TestRedact:
    @pytest.mark.parametrize(("line", "secret"), SECRETS)
    def test_each_secret_format_is_removed(self, line: str, secret: str) -> None:
        redacted, removed = redact(line)
        assert secret not in redacted
        assert REDACTED in redacted
        assert removed >= 1

    def test_the_count_and_the_line_count_are_right_for_a_whole_log(self) -> None:
        log = "\n".join(line for line, _ in SECRETS) + "\nCollecting six\n"
        redacted, removed = redact(log)
        assert removed == len(SECRETS)
        assert redacted.count("\n") == log.count("\n")
        assert redacted.endswith("Collecting six\n")

    def test_it_keeps_pip_masked_urls_and_ordinary_text(self) -> None:
        text = (
            "Looking in indexes: https://alice:****@pypi.corp.example/simple\n"
            "virtualenv -p python3.11 venv\n"
            "export TWINE_PASSWORD=$PYPI_TOKEN\n"
            "[odysseus] HF token: applied\n"
        )
        assert redact(text) == (text, 0)

    def test_it_handles_non_ascii_text_around_a_secret(self) -> None:
        redacted, removed = redact("× échec https://bob:pässwörd@host/simple ✓")
        assert (redacted, removed) == (f"× échec https://{REDACTED}@host/simple ✓", 1)

    def test_a_secret_holding_invalid_utf8_is_removed_whole(self) -> None:
        log = read_log(b"Looking in indexes: https://bob:p\xe4ss\xffword@host/simple\n", LIMIT)
        redacted, removed = redact(log)
        assert (redacted, removed) == (f"Looking in indexes: https://{REDACTED}@host/simple\n".encode(), 1)


class TestTheEngineRedacts:
    """The matcher finds secrets in the same pass as the lines it reads; none may slip through."""

    MATCHER = Matcher(
        [
            Signature(
                "NO_MATCHING_DISTRIBUTION", "pip", "error", "Could not find a version that satisfies the requirement"
            )
        ],
        {},
    )
    ERROR = "ERROR: Could not find a version that satisfies the requirement six==9"

    def test_it_removes_every_secret_wherever_it_sits(self) -> None:
        lines = []
        for line, _ in SECRETS:
            lines += [line, f"{self.ERROR} {line}", f"{line} {self.ERROR}", "Collecting six", f"\x1b[31m{line}\x1b[0m"]
        log = "\n".join(lines) + "\n"
        diagnosis = self.MATCHER.diagnose(read_log(log, LIMIT))
        shown = log_text(diagnosis.log)
        for _, secret in SECRETS:
            assert secret not in shown
        assert diagnosis.redacted == 4 * len(SECRETS)
        assert shown.count("\n") == log.count("\n")
        assert all(secret not in match.excerpt for match in diagnosis.matches for _, secret in SECRETS)

    def test_it_removes_the_same_secrets_as_redact(self) -> None:
        log = "\n".join(f"{self.ERROR} {line}" if index % 2 else line for index, (line, _) in enumerate(SECRETS))
        diagnosis = self.MATCHER.diagnose(log)
        assert (diagnosis.log, diagnosis.redacted) == redact(log.encode())
