"""Redaction, rule by rule: every rule removes something no other rule does, and leaves
alone what pip logs are full of (hashes, commit ids, wheel names, package names)."""

from pathlib import Path

import pytest

from kb.diagnosis import REDACTED, Matcher, Signature, log_text, redact
from kb.diagnosis.redaction import SecretFinder, secret_spans
from kb.diagnosis.secret_rules import RULES

# For each rule, a line that this rule alone redacts, and the secret that must vanish.
ONLY_THIS_RULE = {
    "pypi": ("uploading with pypi-AgEIcHlwaS5vcmcC", "pypi-AgEIcHlwaS5vcmcC"),
    "github": ("cloned with ghp_abcdefghij0123456789", "ghp_abcdefghij0123456789"),
    "gitlab": ("cloned with glpat-abcdefghij012345", "glpat-abcdefghij012345"),
    "npm": ("published with npm_abcdefghijklmnopqrstuvwxyz0123", "npm_abcdefghijklmnopqrstuvwxyz0123"),
    "aws-key-id": ("key id ASIAIOSFODNN7EXAMPLE in use", "ASIAIOSFODNN7EXAMPLE"),
    "aws-secret-key": ("aws configure set aws_secret_access_key " + "fake" * 10, "fakefake"),
    "google-api-key": ("maps key AIzaSyabcdefghijklmnopqrstuvwxyz0123456", "AIzaSyabcdefghijklmnopqrstuvwxyz"),
    "google-oauth": ("access ya29.a0AfH6SMBx3abcdefghijk", "ya29.a0AfH6SMBx3abcdefghijk"),
    "slack-token": ("posting as xoxb-1234567890-abcdefghij", "xoxb-1234567890-abcdefghij"),
    "slack-webhook": ("curl https://hooks.slack.com/services/TEAM/BOT/abcdefghijklm", "TEAM/BOT/abcdefghijklm"),
    "discord-webhook": ("https://discord.com/api/webhooks/12345/abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrst"),
    "stripe": ("charging with sk_live_51HxYzAbCdEf", "sk_live_51HxYzAbCdEf"),
    "heroku": ("deploying with HRKU-abcdefghijklmnopqrstu", "HRKU-abcdefghijklmnopqrstu"),
    "artifactory": ("fetched with AKCp8jQ9WfGhTy2kL", "AKCp8jQ9WfGhTy2kL"),
    "ai-platform": ("model key hf_abcdefghijklmnopqrstuvwxyzabcdef", "hf_abcdefghijklmnopqrstuvwxyzabcdef"),
    "azure-ad-secret": ("client abc8Q~abcdefghijklmnopqrstuvwxyz012345", "abc8Q~abcdefghijklmnopqrstuvwxyz012345"),
    "sendgrid": ("mail SG.abcdefghijklmnop.qrstuvwxyzabcdef", "SG.abcdefghijklmnop.qrstuvwxyzabcdef"),
    "hosting": ("deploy dapi0123456789abcdef0123456789abcdef", "dapi0123456789abcdef0123456789abcdef"),
    "dev-tools": ("push dckr_pat_abcdefghijklmnopqrst", "dckr_pat_abcdefghijklmnopqrst"),
    "vault": ("vault hvs.abcdefghijklmnopqrstuvwxyz", "hvs.abcdefghijklmnopqrstuvwxyz"),
    "twilio": ("sms SK0123456789abcdef0123456789abcdef", "SK0123456789abcdef0123456789abcdef"),
    "age": ("decrypt AGE-SECRET-KEY-1" + "Q" * 58, "AGE-SECRET-KEY-1QQQQ"),
    "gemfury": ("pip install -i https://pypi.fury.io/kEGzK4qW2nR8tYb1YhD/acme/ six", "kEGzK4qW2nR8tYb1YhD"),
    "url-password": ("Looking in indexes: https://alice:s3cr/et@pypi.corp.example/simple", "s3cr/et"),
    "encoded-url-password": ("next=https%3A%2F%2Fdeploy%3AS3cretPw%40nexus.corp%2Fsimple", "S3cretPw"),
    "encoded-url-user": ("next=https%3A%2F%2Fabcdefghij%40github.com%2Facme", "abcdefghij"),
    "url-token": ("Looking in indexes: https:shorttok9@pypi.corp.example/simple", "shorttok9"),
    "http-url-user": ("pip install git+https://abcdefghij@github.com/acme/private.git", "abcdefghij"),
    "proxy-credentials": ("pip install --proxy deploy:pr0xyPw@proxy.corp:3128 six", "pr0xyPw"),
    "conda-token": ("GET https://conda.anaconda.org/t/xx-1a2b3c4d-5e6f7a8b/mychannel/noarch", "xx-1a2b3c4d"),
    "url-query": ("Downloading https://acct.blob.core.windows.net/simple/?sv=2022&sig=AbCd0123%2B", "AbCd0123%2B"),
    "authorization": ("Authorization: Digest abc123opaque", "abc123opaque"),
    "bearer": ("sending bearer abc123def456", "abc123def456"),
    "secret-header": ("X-JFrog-Art-Api: opaqueValue42", "opaqueValue42"),
    "cookie": ("< Set-Cookie: sessionid=opaque42value; Path=/", "opaque42value"),
    "jwt": ("session eyJhbGciOiJI.eyJzdWIiOjE5.c2lnbmF0dXJl", "eyJhbGciOiJI.eyJzdWIiOjE5.c2lnbmF0dXJl"),
    "private-key": ("-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA"),
    "cli-option-quoted": ('pip config set --password "hunter 2" x', "hunter 2"),
    "cli-option": ("gh auth login --token opaque42", "opaque42"),
    "login-option": ("docker login -u bob -p Sup3rSecret registry.example.org", "Sup3rSecret"),
    "command-credentials": ("curl -u deploy:s3cretCurlPw https://nexus.corp.example/", "s3cretCurlPw"),
    "netrc": ("machine pypi.corp.example login deploy password N3tRc", "N3tRc"),
    "quoted-assignment": ('{"api_key": "sk-live-abc123"}', "sk-live-abc123"),
    "assignment": ("export TWINE_PASSWORD=correct-horse-battery", "correct-horse-battery"),
    "colon-assignment": ("password: hunter2hunter2", "hunter2hunter2"),
    "listed-variable": ("TWINE_PASSWORD hunter2hunter2", "hunter2hunter2"),
    "printed-secret": ("$ keyring get https://pypi.corp.example/simple deploy\nS3cretKeyringPw", "S3cretKeyringPw"),
    "colon-token": ("  HF_TOKEN: abc123xyz", "abc123xyz"),
    "high-entropy": ("uploaded as Zx9qLm2VbN7tRw4YkP8sDf3GhJ6aUe1C now", "Zx9qLm2VbN7tRw4YkP8sDf3GhJ6aUe1C"),
}

# What pip logs are full of, and no rule may touch.
NOT_SECRETS = [
    "Collecting six==1.16.0 (from -r requirements.txt (line 3))",
    "  Downloading https://files.pythonhosted.org/packages/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl (11 kB)",
    "    --hash=sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926",
    "  Created wheel for x: filename=x-1.0-py3-none-any.whl size=1234 sha256=0f3d2a1b4c5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a",
    "Successfully installed backports.zoneinfo-0.2.1 some-really-long-package-name-for-testing-purposes-1.0",
    "  Running command git checkout -q 4f4eed9a1b2c3d4e5f60718293a4b5c6d7e8f901",
    "Successfully built TensorFlowEstimatorNightlyBuild2023 PyObjCFrameworkCoreBluetooth10",
    "pip install git+ssh://git@github.com/acme/thing.git@v1.0 'pkg @ git+https://github.com/org/repo@main'",
    "Looking in indexes: https://pypi.org/simple, https://alice:****@pypi.corp.example/simple",
    "Looking in links: https://host:8080/path/x@v1",
    "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '/usr/lib/python3.11/site-packages/MarkupSafe-2.1.3.dist-info'",
    "  /tmp/pip-install-q3zk5_9d/numpy_8c1b6b2f0e0d4f3aa1c0e9b1f2d3c4b5/setup.py",
    "[odysseus] HF token: applied",
    "virtualenv -p python3.11 venv",
    "export TWINE_PASSWORD=$PYPI_TOKEN",
    "User for pypi.corp.example: Password:",
    "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
    "GITHUB_SHA=4f4eed9a1b2c3d4e5f60718293a4b5c6d7e8f901",
    "PIP_CACHE_DIR=/Users/runner/hostedtoolcache/Python/3.11.9/x64/lib",
    "Looking in indexes: https://****@pypi.corp.example/simple",
    '  File "C:\\hostedtoolcache\\windows\\Python\\3.11.9\\x64\\Lib\\site-packages\\pip\\__main__.py", line 22',
    "Processing file:/tmp/wheels/six-1.16.0-py2.py3-none-any.whl",
    "FROM python:3.11-slim@sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926",
    "export NO_PROXY=localhost,127.0.0.1:8080",
    "git clone ssh://deploy@git.corp.example/acme/lib.git",
    "DATABASE_URL=postgres://postgres@localhost/kb",
    "See https://discuss.python.org/t/pep-668-marking-python-base-environments-as-externally-managed/10302",
    "cd /tmp/t/build1/lib",
    "Fetching https://conda.anaconda.org/t/<TOKEN>/conda-forge/noarch/repodata.json",
    "Downloading https%3A%2F%2Ffiles.pythonhosted.org%2Fpackages%2Fsix-1.16.0.tar.gz",
    "sys.path = ['http://localhost:8000','git@github.com']",
    "secret_key     ****************ABCD shared-credentials-file",
    "pip install --extra-index-url https://pypi.fury.io/acme/ six",
    "curl -sSL --user-agent pip/24.0 https://bootstrap.pypa.io/get-pip.py",
    "export CACHE_BYPASS=true",
    "    url, rev, user_pass = super().get_url_rev_and_auth(url)",
    "ssh%3A%2F%2Fgit%40github.com%2Facme%2Flib.git",
    "See https://discuss.python.org/t/python3-12-upgrade/10302/5",
    "OLDPWD /home/runner/work",
    "ERROR: NO PASSWORD GIVEN",
    "$ aws codeartifact get-authorization-token --domain acme\n{",
    "$ keyring get https://pypi.corp.example/simple deploy\nERROR: no password found",
    "$ gh auth token",
]


def only(rule_name: str) -> SecretFinder:
    return SecretFinder(rule for rule in RULES if rule.name == rule_name)


def test_every_rule_has_an_example_of_its_own() -> None:
    assert sorted(ONLY_THIS_RULE) == sorted(rule.name for rule in RULES)


@pytest.mark.parametrize("rule_name", [rule.name for rule in RULES])
def test_each_rule_alone_removes_its_example(rule_name: str) -> None:
    line, secret = ONLY_THIS_RULE[rule_name]
    redacted, removed = only(rule_name).redact(line)
    assert secret not in redacted
    assert REDACTED in redacted
    assert removed == 1


@pytest.mark.parametrize("rule_name", [rule.name for rule in RULES])
def test_every_rule_compiled_with_the_others_removes_its_example(rule_name: str) -> None:
    line, secret = ONLY_THIS_RULE[rule_name]
    redacted, removed = SecretFinder(RULES).redact(line)
    assert (secret in redacted, removed) == (False, 1)


@pytest.mark.parametrize("rule_name", [rule.name for rule in RULES])
def test_no_other_rule_removes_that_example(rule_name: str) -> None:
    line, _ = ONLY_THIS_RULE[rule_name]
    others = SecretFinder(rule for rule in RULES if rule.name != rule_name)
    assert others.redact(line) == (line, 0)


@pytest.mark.parametrize(
    "token",
    [
        "k3j5h7g9f2d4s6a8q1w3e5r7t9y2u4i6Xo8",
        "K3J5H7G9F2D4S6A8Q1W3E5R7T9Y2U4I6xO8",
        "kJhGfDsAqWeRtYuIoPlKmNbVcXzAsDfGh7j",
        "kJhG-fDsA_qWeR-tYuI_oPlK-mNbV_cXzA-sDfG7",  # dashes and underscores are no digits
    ],
)
def test_a_long_token_with_a_single_capital_small_letter_or_digit_is_no_random_secret(token: str) -> None:
    """A random token mixes all three kinds: one of a kind alone is how names and ids look."""
    assert redact(f"build id {token}\n") == (f"build id {token}\n", 0)


@pytest.mark.parametrize(
    "token",
    [
        "k3j5h7g9f2d4s6a8q1w3e5r7t9y2u4i6XoZ8",
        "K3J5H7G9F2D4S6A8Q1W3E5R7T9Y2U4I6xOz8",
        "kJhGfDsAqWeRtYuIoPlKmNbVcXzAsDfGh7j4",
    ],
)
def test_a_long_token_with_two_capitals_small_letters_or_digits_is_a_random_secret(token: str) -> None:
    assert redact(f"build id {token}\n") == (f"build id {REDACTED}\n", 1)


@pytest.mark.parametrize(
    "token",
    [
        "aB3dE5gH7jK9mN2paB3dE5gH7jK9mN2p",  # 16 characters twice each: 4 bits each, the least allowed
        "abc234ABCde56DEfg78FGhi92HJjk34KLmn56MNop",  # it changes kind between 18 of its 40 pairs: 0.45
    ],
)
def test_a_token_exactly_as_random_as_required_is_removed(token: str) -> None:
    assert redact(f"build id {token}\n") == (f"build id {REDACTED}\n", 1)


def test_a_token_that_changes_kind_a_little_too_seldom_is_kept() -> None:
    token = "abc234ABCde56DEfg78FGhi92HJjk34KL"  # 14 changes between its 32 pairs: 0.4375, under 0.45
    assert redact(f"build id {token}\n") == (f"build id {token}\n", 0)


@pytest.mark.parametrize("line", NOT_SECRETS)
def test_no_rule_touches_what_pip_logs_are_full_of(line: str) -> None:
    assert redact(line) == (line, 0)


def test_a_private_key_block_loses_every_body_line_and_keeps_the_line_count() -> None:
    log = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
        "QyNTUxOQAAACBx\n"
        "-----END OPENSSH PRIVATE KEY-----\n"
        "Collecting six\n"
    )
    redacted, removed = redact(log)
    assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU" not in redacted
    assert "QyNTUxOQAAACBx" not in redacted
    assert redacted.count("\n") == log.count("\n")
    assert redacted.endswith("-----END OPENSSH PRIVATE KEY-----\nCollecting six\n")
    assert removed == 2


def test_a_key_on_one_line_leaves_the_lines_after_it_alone() -> None:
    log = "-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA-----END RSA PRIVATE KEY-----\nCollecting six\n"
    assert redact(log) == (
        f"-----BEGIN RSA PRIVATE KEY-----{REDACTED}-----END RSA PRIVATE KEY-----\nCollecting six\n",
        1,
    )


def test_an_encrypted_key_loses_its_headers_and_body_and_keeps_its_blank_line() -> None:
    log = (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        "Proc-Type: 4,ENCRYPTED\n"
        "DEK-Info: AES-128-CBC,2A7B3F5C9D1E4F60A8B2C4D6E8F01234\n"
        "\n"
        "MIIEpAIBAAKCAQEAw9hX2mP4nQ8rT6vY1zB3cF5gH7jK9lN0pR2sU4wX6yA8bC0d\n"
        "-----END RSA PRIVATE KEY-----\n"
    )
    lines = [REDACTED, REDACTED, "", REDACTED]
    assert redact(log) == ("\n".join(["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----\n"]), 3)


def test_a_key_cut_off_at_the_end_of_a_paste_loses_its_last_character_too() -> None:
    log = "Looking in indexes\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
    assert redact(log) == (f"Looking in indexes\n-----BEGIN OPENSSH PRIVATE KEY-----\n{REDACTED}", 1)


def test_a_key_body_loses_its_first_200_lines_and_keeps_what_follows() -> None:
    body = [f"bodyline{number}" for number in range(201)]
    redacted, removed = redact("\n".join(["-----BEGIN PRIVATE KEY-----", *body]))
    assert (redacted.splitlines()[1:], removed) == ([REDACTED] * 200 + ["bodyline200"], 200)


def test_a_key_ends_at_the_first_end_line_on_its_last_body_line() -> None:
    log = "-----BEGIN RSA PRIVATE KEY-----\nab-----END RSA PRIVATE KEY----- then -----END\n"
    assert redact(log) == (
        f"-----BEGIN RSA PRIVATE KEY-----\n{REDACTED}-----END RSA PRIVATE KEY----- then -----END\n",
        1,
    )


def test_a_second_key_opening_on_a_line_loses_its_own_key_and_the_body_once() -> None:
    log = (
        "-----BEGIN RSA PRIVATE KEY-----one-----END RSA PRIVATE KEY----- -----BEGIN RSA PRIVATE KEY-----two\n"
        "bodyline\n-----END RSA PRIVATE KEY-----\n"
    )
    key = "-----BEGIN RSA PRIVATE KEY-----"
    end = "-----END RSA PRIVATE KEY-----"
    assert redact(log) == (f"{key}{REDACTED}{end} {key}{REDACTED}\n{REDACTED}\n{end}\n", 3)


def test_key_openings_one_after_another_on_a_line_lose_the_body_below_them() -> None:
    log = "-----BEGIN PRIVATE KEY----------BEGIN PRIVATE KEY-----\nbodyline\n"
    assert redact(log) == (f"-----BEGIN PRIVATE KEY----------BEGIN PRIVATE KEY-----\n{REDACTED}\n", 1)


@pytest.mark.parametrize(
    "log", ["Collecting six\n-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----\n"]
)
def test_a_key_opening_with_no_line_after_it_is_left_as_it_is(log: str) -> None:
    assert redact(log) == (log, 0)


@pytest.mark.parametrize("log", ["keyring get https://pypi.corp.example/simple deploy", "$ gh auth token\n"])
def test_a_command_that_prints_a_secret_with_no_line_after_it_is_left_as_it_is(log: str) -> None:
    assert redact(log) == (log, 0)


def test_the_secret_printed_after_commands_on_consecutive_lines_is_removed() -> None:
    log = "$ keyring get https://a.example deploy keyring get https://b.example ci\n$ gh auth token\ngho_short\n"
    assert redact(log) == (log.replace("gho_short", REDACTED), 1)


def test_the_secrets_printed_below_commands_by_the_hundred_are_all_removed() -> None:
    """Past the first hundred commands a pass of their own finds the rest: none is missed."""
    block = "$ gh auth token\ngho_printed{}\nexport TWINE_PASSWORD=hunter{}\n"
    log = "".join(block.format(number, number) for number in range(250))
    redacted, removed = redact(log)
    assert removed == 500
    assert "gho_printed" not in redacted
    assert "hunter" not in redacted
    assert len(list(secret_spans(log.encode()))) == 500  # each found once, so the secrets limit counts it once


def test_a_line_of_commands_by_the_thousand_still_gives_the_line_below_and_the_secrets_on_it() -> None:
    log = "echo $GH_TOKEN " * 1000 + "twine --password hunter2\ngho_printed\n"
    assert redact(log) == ("echo $GH_TOKEN " * 1000 + f"twine --password {REDACTED}\n{REDACTED}\n", 2)
    assert len(list(secret_spans(log.encode()))) == 2  # each found once, so the secrets limit counts it once


def test_a_secret_before_a_command_that_prints_one_is_found_once() -> None:
    """The line below the command is read, and the search goes on after the command."""
    log = "export TWINE_PASSWORD=correct-horse-battery\n$ gh auth token\ngho_printed\nCollecting six\n"
    assert redact(log) == (f"export TWINE_PASSWORD={REDACTED}\n$ gh auth token\n{REDACTED}\nCollecting six\n", 2)
    assert len(list(secret_spans(log.encode()))) == 2  # each found once, so the secrets limit counts it once


def test_the_rules_compiled_afresh_read_case_as_written_and_stay_within_their_line() -> None:
    """What `redact` is, built here: only a rule that says so (`(?i:...)`) ignores case, so a
    Gemfury account's lower-case name is no token; and only the printed secret's rule reads the
    next line, so a secret's name at a line's end leaves the next line alone."""
    log = "pip install --extra-index-url https://pypi.fury.io/acme/ six\n--password\nCollecting six==1.16.0\n"
    assert SecretFinder(RULES).redact(log) == (log, 0)


def test_a_random_token_at_the_start_of_the_log_is_removed() -> None:
    assert redact("Zx9qLm2VbN7tRw4YkP8sDf3GhJ6aUe1C uploaded\n") == (f"{REDACTED} uploaded\n", 1)


def test_the_secret_printed_by_a_command_at_the_start_of_the_log_is_removed() -> None:
    assert redact("keyring get corp deploy\nS3cretKeyringPw\n") == (f"keyring get corp deploy\n{REDACTED}\n", 1)


def test_a_secret_on_the_line_of_a_command_that_prints_one_is_removed_too() -> None:
    log = "$ keyring get https://deploy:S3cretPw@pypi.corp.example/simple deploy\nS3cretKeyringPw\n"
    assert redact(log) == (f"$ keyring get https://{REDACTED}@pypi.corp.example/simple deploy\n{REDACTED}\n", 2)


def test_a_turned_down_token_does_not_hide_a_secret_behind_it() -> None:
    redacted, removed = redact("export CODEARTIFACT_AUTH_TOKEN=eyJ2ZXIiOjEsImlzdSI6MTcwMH0.AbCdEf")
    assert (redacted, removed) == (f"export CODEARTIFACT_AUTH_TOKEN={REDACTED}", 1)


@pytest.mark.parametrize("before", ["", "  ", "AZURE_STORAGE_KEY=", "a" * 31 + " "])
def test_a_random_token_after_many_lowercase_tokens_is_still_removed(before: str) -> None:
    """The guess skips tokens without a capital (wheel names, hashes) in bulk, up to the next one."""
    wheels = "  Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl\n" * 50
    digests = " ".join(["sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"] * 5) + "\n"
    log = f"{wheels}{digests}{before}k3J5h7G9f2D4s6A8q1W3e5R7t9Y2u4I6o8P0 done\n"
    assert redact(log) == (f"{wheels}{digests}{before}{REDACTED} done\n", 1)


# The formats of the security review (December 2026), as they sit in real CI logs.
REVIEW_FORMATS = [
    ("  password: pypi-AgEIcHlwaS5vcmcCJDY3ZTc2NjU5LTk4", "pypi-AgEIcHlwaS5vcmcC"),
    ("GITHUB_TOKEN ghp_R8sT2vWx4Yz6Ab8Cd0Ef2Gh4Ij6Kl8Mn0Op", "ghp_R8sT2vWx4Yz6"),
    ("token gho_R8sT2vWx4Yz6Ab8Cd0Ef2Gh4Ij6Kl8Mn0Op", "gho_R8sT2vWx4Yz6"),
    ("GH_PAT github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABC"),
    ("CI_JOB glpat-Xy7Zab8Cde9Fgh0Ijk1L", "glpat-Xy7Zab8Cde9"),
    ("AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
    (
        "Looking in indexes: https://acct.blob.core.windows.net/simple/?sv=2022-11-02&sp=rl&sig=Qx7%2Bk9Lm2Pq%3D",
        "Qx7%2Bk9Lm2",
    ),
    (
        "AZURE_CONN=DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;",
        "Zm9vYmFy",
    ),
    ("  GOOGLE_API_KEY: AIzaSyD4k9Lm2Pq7Rs1Tu5Vw8Xy0Za3Bc6De9Fg", "AIzaSyD4k9Lm2Pq7"),
    ("GET https://maps.googleapis.com/maps/api/geocode/json?key=AIzaSyD4k9Lm2Pq7Rs1Tu5Vw8Xy0Za3Bc6De9Fg", "AIzaSyD4k9"),
    ("SLACK_BOT xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-1234567890"),
    ("notify: https://hooks.slack.com/services/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", "Xy7Zab8Cde9Fgh"),
    ("> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.sig", "eyJhbGciOiJIUzI1NiJ9"),
    ("< Set-Cookie: session=eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyIjoiYm9iIn0.dozjgNryP4J3jVmNHl0w5N; Path=/", "eyJ1c2VyIjoi"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVw\n-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA",
    ),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXkt",
    ),
    ("Looking in indexes: https://alice:s3cr3tpass@pypi.corp.example/simple", "s3cr3tpass"),
    (
        "pip install --extra-index-url https://__token__:pypi-AgEIcHlwaS5vcmcC@pypi.corp/simple x",
        "pypi-AgEIcHlwaS5vcmcC",
    ),
    ("PIP_INDEX_URL=https://ci:Zq8wX2vB@nexus.corp.example/repository/pypi/simple", "Zq8wX2vB"),
    ("machine pypi.corp.example login deploy password N3tRcPassw0rd", "N3tRcPassw0rd"),
    ("X-JFrog-Art-Api: AKCp8jQ9WfGhTy2kLmNoPqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTu", "AKCp8jQ9WfGhTy2k"),
    (
        "Looking in indexes: https://deploy:AKCp8jQ9WfGhTy2kLmNoPq@corp.jfrog.io/artifactory/api/pypi/simple",
        "AKCp8jQ9Wf",
    ),
    ("//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghij"),
    ("//registry.npmjs.org/:_auth=YWxpY2U6czNjcjN0cGFzc3dvcmQ=", "YWxpY2U6czNjcjN0"),
    ("curl -H 'Authorization: Bearer opaqueTokenValue42' https://example.org", "opaqueTokenValue42"),
    ("pip install git+https://bob:gitPassw0rd@gitlab.corp.example/acme/lib.git", "gitPassw0rd"),
    ("pip install git+https://shorttok9@github.com/acme/private.git", "shorttok9"),
    ("DATABASE_URL=postgres://kb:dbPassw0rd@db.example.org:5432/kb", "dbPassw0rd"),
    ("REDIS_URL=redis://:r3disPass@cache.example.org:6379/0", "r3disPass"),
    ("password = hunter2hunter2", "hunter2hunter2"),
    ("password: hunter2hunter2", "hunter2hunter2"),
    ("Looking in indexes: https://user:Pa55/Word9@pypi.corp.example/simple", "Pa55/Word9"),
    ("Looking in indexes: https://user:Pa55@Word9@pypi.corp.example/simple", "Word9"),
    ("STRIPE sk_live_51HxYzAbCdEfGhIjKlMnOpQr", "sk_live_51HxYz"),
    ("HEROKU HRKU-AAbCdEfGhIjKlMnOpQrStUvWxYz0123456789_ab", "HRKU-AAbCdEfGh"),
    ('  "private_key_id": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",', "1a2b3c4d5e6f7a8b9c0d"),
    (
        "https://x:abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst@dev.azure.com/org/_packaging/f/pypi/simple/",
        "abcdefghijklmnop",
    ),
    ("docker login -u bob -p Sup3rSecret registry.example.org", "Sup3rSecret"),
    ("export HTTPS_PROXY=http://proxyuser:pr0xyPass@proxy.corp:3128", "pr0xyPass"),
    ("export TWINE_PASSWORD=correct-horse-battery", "correct-horse-battery"),
    ("export CODEARTIFACT_AUTH_TOKEN=eyJ2ZXIiOjEsImlzdSI6MTcwMH0.AbCdEf", "eyJ2ZXIiOjEsImlzdSI6"),
    ('pip config set global.password --password="hunter 2"', "hunter 2"),
]


# Shapes real logs carry beyond the review's list: URLs after path joining, credentials
# split by netrc keywords, quoted values with spaces, proxies without a scheme.
OTHER_SHAPES = [
    ("Looking in indexes: /https:/deploy:S3cretPw@pypi.corp.example/simple", "S3cretPw"),
    ("cache dir /tmp/build/https:/shorttok9@github.com/acme/private.git", "shorttok9"),
    ("Fetching https:\\deploy:S3cretPw@pypi.corp.example\\simple", "S3cretPw"),
    ("pip install -i https://user%40corp.example:p%40ssW0rd@pypi.corp.example/simple six", "p%40ssW0rd"),
    ("machine pypi.corp.example login deploy password N3tRc9 account ci", "N3tRc9"),
    ('password="hunter 2"', "hunter"),
    ("  password: 'correct horse battery'", "correct horse"),
    ("export HTTPS_PROXY=proxyuser:pr0xyPass@proxy.corp:3128", "pr0xyPass"),
    ('declare -x PIP_INDEX_URL="https://ci:Zq8wX2vB@nexus.corp.example/simple"', "Zq8wX2vB"),
    ("global.index-url='https://ci:Zq8wX2vB@nexus.corp.example/simple'", "Zq8wX2vB"),
    (
        "pip install 'git+https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r.git'",
        "ghs_16C7",
    ),
    ("> Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
    ("AZURE_STORAGE_KEY=woN3BU6BmhnAl+p1w82UEMTQQg59SIerSWvBwpWgpsbTsA9xjEOUu1gr+1Njxmh5Z4GoT8IE", "woN3BU6Bmhn"),
    ("Looking in indexes: https:deploy:S3cretPw@pypi.corp.example/simple", "S3cretPw"),
    ("url=https%3a%2f%2fdeploy%3aS3cretPw%40nexus.corp%2f", "S3cretPw"),
    ("Looking in indexes: https://deploy:it'sMyPassw0rd@pypi.corp.example/simple", "sMyPassw0rd"),
    ('pip install -i "https://deploy:S3cret\'@pypi.corp.example/simple" six', "S3cret"),
    ("Cloning https://ghtokenabc@github.com/acme/private.git to /tmp/pip-req-build-x", "ghtokenabc"),
    ("AWS_SECRET_ACCESS_KEY\tfakefakefakefakefakefakefakefakefakefake", "fakefake"),
    ("--aws-secret-access-key fakefakefakefakefakefakefakefakefakefake", "fakefake"),
    ("pip install --extra-index-url https://kEGzK4qW2nR8tYb1YhD:@pypi.fury.io/acme/ six", "kEGzK4qW2nR8tYb1YhD"),
    ("GEMFURY_URL: https://repo.fury.io/SeCrEt-ToKeN/me/", "SeCrEt-ToKeN"),
    ("curl --user=deploy:s3cretCurlPw https://nexus.corp.example/", "s3cretCurlPw"),
    ("poetry config http-basic.corp deploy s3cretPoetryPw", "s3cretPoetryPw"),
    ("NEXUS_PASS=hunter2hunter2", "hunter2hunter2"),
    # Shapes found missed in December 2026: a secret a command prints on the next line, a
    # variable listed with a space, a conda token of letters, an encoded URL's lone user.
    ("$ aws codeartifact get-authorization-token --domain acme --output text\nAbCdEf.GhIjKl", "AbCdEf"),
    ("$ aws ecr get-login-password --region eu-west-1\r\nQmFzZTY0VG9rZW4\r\n", "QmFzZTY0"),
    (
        "2024-05-01T12:00:00.1234567Z $ gcloud auth print-access-token\n2024-05-01T12:00:00.1234567Z ya29.short",
        "ya29.short",
    ),
    ("+ echo ${TWINE_PASSWORD}\n  hunter2  \n", "hunter2"),
    ("$ printenv PYPI_TOKEN\nopaque42\nCollecting six", "opaque42"),
    ("PGPASSWORD hunter2", "hunter2"),
    ("NEXUS_PASS\thunter2hunter2 \r", "hunter2hunter2"),
    ("GET https://conda.anaconda.org/t/abcdefghijklmnop/mychannel/noarch", "abcdefghijklmnop"),
    ("channel_alias: https://conda.anaconda.org/t/abcdefghijklmnop", "abcdefghijklmnop"),
    ("url=git%2Bhttps%3A%2F%2Fabcdefghij%40github.com%2Facme", "abcdefghij"),
    ("next=https%3A%2F%2FshortTok9%40github.com%2Facme", "shortTok9"),
    ("next=https%3A%2F%2Fdeploy%3AS3cret%3AWord%40nexus.corp", "S3cret"),  # the user ends at the first %3A
    # pip masks a whole password as `****`; one that only ends in asterisks is no mask.
    ("Looking in indexes: https://deploy:S3cret:****@pypi.corp.example/simple", "S3cret"),
]


@pytest.mark.parametrize(("text", "secret"), OTHER_SHAPES)
def test_other_shapes_of_real_logs_are_removed(text: str, secret: str) -> None:
    redacted, removed = redact(text)
    assert secret not in redacted
    assert removed == 1


# Real pip runs with a password and a token in their index URLs (tests/logs/scenarios.py,
# connection_refused_with_credentials): pip 10 prints both in `Looking in indexes`, pip 18
# leaves the credentials out and pip 19.3 and later print `****` for them.
CAPTURED_SECRETS = ("CapturedPassw0rd", "capturedTok3nValue")
CAPTURED_WITH_CREDENTIALS = {
    path.name: path.read_text()
    for path in (Path(__file__).parent / "logs" / "CONNECTION_FAILED").glob("*-credentials.log")
}


def test_the_credentials_pip_prints_of_its_index_urls_are_removed_and_its_own_mask_is_kept() -> None:
    printed = CAPTURED_WITH_CREDENTIALS["10.0.1-credentials.log"]
    assert all(secret in printed for secret in CAPTURED_SECRETS)
    for name, log in CAPTURED_WITH_CREDENTIALS.items():
        redacted, _ = redact(log)
        assert not [secret for secret in CAPTURED_SECRETS if secret in redacted], name
    masked = "Looking in indexes: http://deploy:****@127.0.0.1:8000/simple, http://****@127.0.0.1:8000/extra\n"
    assert redact(CAPTURED_WITH_CREDENTIALS["26.3-credentials.log"])[0].startswith(masked)


def test_only_pips_asterisks_are_taken_for_its_mask_of_a_password() -> None:
    assert redact("Looking in indexes: https://deploy:XXXXXXXX@pypi.corp.example/simple\n") == (
        f"Looking in indexes: https://{REDACTED}@pypi.corp.example/simple\n",
        1,
    )


@pytest.mark.parametrize(("text", "secret"), REVIEW_FORMATS)
def test_each_format_of_the_review_is_removed(text: str, secret: str) -> None:
    redacted, removed = redact(text)
    assert secret not in redacted
    assert removed >= 1
    assert redacted.count("\n") == text.count("\n")


def test_the_engine_removes_every_format_alone_and_inside_the_matched_line() -> None:
    matcher = Matcher([Signature("NO_MATCH", "pip", "error", "Could not find a version that satisfies")], {})
    error = "ERROR: Could not find a version that satisfies the requirement six==9"
    lines = []
    for text, _ in REVIEW_FORMATS:
        lines += [text, "Collecting six"] + ([] if "\n" in text else [f"{error} {text}"])
    diagnosis = matcher.diagnose("\n".join(lines) + "\n")
    shown = log_text(diagnosis.log)
    excerpts = " ".join(match.excerpt + repr(match.facts) for match in diagnosis.matches)
    assert diagnosis.matches
    for _, secret in REVIEW_FORMATS:
        assert secret not in shown
        assert secret not in excerpts


def test_a_log_of_near_random_words_still_loses_its_password_at_the_end() -> None:
    near_misses = "Successfully built TensorFlowEstimatorNightlyBuild2023 PyObjCFrameworkCoreBluetooth10\n" * 4000
    redacted, removed = redact(near_misses + "export TWINE_PASSWORD=correct-horse-battery\n")
    assert redacted.endswith(f"export TWINE_PASSWORD={REDACTED}\n")
    assert removed == 1


def test_the_guess_at_random_tokens_gives_up_at_its_5000th_near_miss_and_not_before() -> None:
    """A log of words that look almost random would cost the guess more than it finds."""
    near_misses = "Successfully built TensorFlowEstimatorNightlyBuild2023\n"
    first, second = "k3J5h7G9f2D4s6A8q1W3e5R7t9Y2u4I6o8P0", "Zx9qLm2VbN7tRw4YkP8sDf3GhJ6aUe1C"
    log = f"{near_misses * 4999}{first}\n{near_misses}{second}\n"
    assert redact(log) == (log.replace(first, REDACTED), 1)


def test_hashes_and_key_ids_by_the_thousand_do_not_use_up_the_guess_at_random_tokens() -> None:
    """Only words that look almost random count towards the guess giving up: a long log's
    hashes (no capital) and key ids (no small letter) are turned down without a look."""
    digests = " ".join(["sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"] * 5000)
    key_ids = "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n" * 5000
    log = f"{digests}\n{key_ids}k3J5h7G9f2D4s6A8q1W3e5R7t9Y2u4I6o8P0 uploaded\n"
    assert redact(log) == (f"{digests}\n{key_ids}{REDACTED} uploaded\n", 1)


def test_a_token_at_the_very_start_of_the_log_is_removed() -> None:
    """What `gh auth token` printed, pasted first."""
    assert redact("gho_R8sT2vWx4Yz6Ab8Cd0Ef2Gh4Ij6Kl8Mn0Op\nCollecting six\n") == (f"{REDACTED}\nCollecting six\n", 1)


def test_a_message_holding_a_file_name_that_is_not_utf8_keeps_it_when_a_secret_is_removed() -> None:
    """Python decodes such a name's bytes to lone surrogates (os.fsdecode), and a log record
    with one is redacted like any other."""
    message = "Could not read /home/ci/caf\udce9.txt: password: hunter2hunter2"
    assert redact(message) == ("Could not read /home/ci/caf\udce9.txt: password: [redacted]", 1)


@pytest.mark.parametrize("line_end", ["--password", "--token", "Bearer", "password"])
def test_a_secret_name_at_the_end_of_a_line_leaves_the_next_line_alone(line_end: str) -> None:
    """Each rule reads within one line (but the one for a command's printed secret)."""
    log = f"{line_end}\nCollecting six==1.16.0\nERROR\n"
    assert redact(log) == (log, 0)
