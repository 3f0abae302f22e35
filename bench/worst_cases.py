"""Crafted 5 MB logs made to cost the diagnosis the most, timed through POST /api/diagnose.

Each log is built from what the engine looks for (the catalogue's signature literals, the
halves of them it tries across wrapped lines, the trigger literals of its fact, context and
other-tool readers, and secrets), so that every line costs the engine work. Goal: each one
answers in under 2 s. Uses a scratch SQLite database with the shipped catalogue and Django's
test client (in process, no network); CPU time is printed beside wall time because the
machine may be shared.

    .venv/bin/python bench/worst_cases.py [--megabytes 5] [--only NAME]
"""

import argparse
import itertools
import random
import string
import time
from collections.abc import Callable, Iterator

from in_process import catalogue_client  # first: it sets Django up and puts the repository on sys.path

from bench.diagnose import catalogue
from kb.diagnosis import facts, scoping
from kb.diagnosis.signatures import required_literals

ERROR_AT_THE_END = b"\nERROR: Could not find a version that satisfies the requirement six==99\n"
SECRET_NAMES = ["password", "api_key", "client_secret", "auth_token", "AccountKey", "TWINE_PASSWORD", "sas_token"]


def signature_literals() -> list[bytes]:
    signatures, _ = catalogue()
    literals = []
    for signature in signatures:
        literals += required_literals(signature.pattern) if signature.is_regex else [signature.pattern]
    return [literal.encode() for literal in literals if literal.strip()]


def trigger_literals() -> list[bytes]:
    return [*facts.TRIGGERS, *facts.CONTEXT_TRIGGERS, *scoping.FOREIGN_TRIGGERS, *scoping.PIP_TRIGGERS]


def halves(literals: list[bytes]) -> list[bytes]:
    return [part for literal in literals for part in (literal[: len(literal) // 2], literal[len(literal) // 2 :])]


def repeated(lines: Iterator[bytes], size: int) -> bytes:
    body = bytearray()
    for line in lines:
        if len(body) >= size:
            break
        body += line + b"\n"
    return bytes(body[: size - len(ERROR_AT_THE_END)]) + ERROR_AT_THE_END


def cycle(items: list[bytes]) -> Iterator[bytes]:
    while True:
        yield from items


def crafted_logs(size: int) -> dict[str, Callable[[], bytes]]:
    literals = signature_literals()
    everything = literals + trigger_literals()
    long_line = b" ".join(everything)
    return {
        "a secret on every line (pwd=x)": lambda: repeated(cycle([b"pwd=x"]), size),
        "a secret every other line": lambda: repeated(cycle([b"pwd=x", b"ok"]), size),
        "100 long lines holding every literal": lambda: repeated(
            cycle([(long_line * (size // 100 // len(long_line) + 1))[: size // 100]]), size
        ),
        "every literal, one per line": lambda: repeated(cycle(everything), size),
        "literal halves on 20 KB lines": lambda: repeated(cycle([(b" ".join(halves(literals)) * 10)[:20_000]]), size),
        "npm ERR! and ERROR: alternating": lambda: repeated(cycle([b"npm ERR! x", b"ERROR: y"]), size),
        "npm ERR! every 1001 lines of warning: y": lambda: repeated(
            cycle([b"npm ERR! x"] + [b"warning: y"] * 1000), size
        ),
        "one trigger literal repeated on long lines (:\\)": lambda: repeated(cycle([b":\\" * 50_000]), size),
        "one trigger literal on every line (:\\)": lambda: repeated(cycle([b"C:\\x"]), size),
        "conda's Collecting lines, then an error": lambda: repeated(
            cycle([b"Collecting package metadata (current_repodata.json): done"]), size
        ),
        "near-random words the token guess turns down": lambda: repeated(
            cycle([b"aaaaaaaaaaaaaaaaAaaaaaaaaaaaaaaa0", b"built TensorFlowEstimatorNightlyBuild2023"]), size
        ),
        "a 5 MB line ending in an error": lambda: b"x" * (size - len(ERROR_AT_THE_END)) + ERROR_AT_THE_END,
        "a 5 MB line that is one fact": lambda: b"ERROR: No matching distribution found for " + b"a" * size,
        **more_crafted_logs(size, literals),
    }


def in_turn(lines: list[bytes], size: int) -> Callable[[], bytes]:
    """A builder of a log of ``lines`` over and over."""
    return lambda: repeated(cycle(lines), size)


def one_line(text: bytes, size: int) -> bytes:
    """``text`` repeated into one line of about ``size`` bytes, then an error."""
    return (text * (size // len(text) + 1))[: size - len(ERROR_AT_THE_END)] + ERROR_AT_THE_END


def random_tokens(length: int, seed: int) -> Iterator[bytes]:
    generator = random.Random(seed)
    alphabet = string.ascii_letters + string.digits
    while True:
        yield "".join(generator.choice(alphabet) for _ in range(length)).encode()


def more_crafted_logs(size: int, literals: list[bytes]) -> dict[str, Callable[[], bytes]]:
    """Inputs aimed at the defences themselves: the secret rules, the decoder, the unescaping."""
    key_values = [f"{name}={value}".encode() for name, value in zip(SECRET_NAMES * 50, range(1000), strict=False)]
    return {
        "secret-named key=value pairs, 40 to a line": lambda: repeated(cycle([b" ".join(key_values[:40])]), size),
        "a 5 MB line of secret-named key=value pairs": lambda: one_line(b" ".join(key_values), size),
        "a random 40-character token on every line": lambda: repeated(random_tokens(40, 1), size),
        "200 random tokens to a line": lambda: repeated(
            (b" ".join(itertools.islice(tokens, 200)) for tokens in itertools.repeat(random_tokens(40, 2))), size
        ),
        "credentials in a URL on every line": lambda: repeated(
            cycle([b"Looking in indexes: https://user:Pa55word9@pypi.internal/simple/"]), size
        ),
        "a token as the user of an http URL on every line": lambda: repeated(
            cycle([b"Looking in indexes: https://abcdefghij@pypi.internal/simple/"]), size
        ),
        "a conda channel token on every line": lambda: repeated(
            cycle([b"GET https://conda.anaconda.org/t/xx-1a2b3c4d-5e6f7a8b/conda-forge/noarch/repodata.json"]), size
        ),
        "percent-encoded URL openings that never reach a host": lambda: one_line(
            b"https%3A%2F%2Fdeploy" + b"%3Aab%25" * (size // 8), size
        ),
        "a private-key block that never ends": lambda: repeated(
            itertools.chain([b"-----BEGIN RSA PRIVATE KEY-----"], random_tokens(64, 3)), size
        ),
        "a private-key opening on every line": lambda: repeated(cycle([b"-----BEGIN PRIVATE KEY-----"]), size),
        "a 5 MB line of private-key openings": lambda: one_line(b"-----BEGIN PRIVATE KEY-----", size),
        "a command that prints a secret, then the secret": in_turn(
            [b"$ keyring get https://pypi.internal/simple deploy", b"S3cretKeyringPw"], size
        ),
        "a 5 MB line of commands that print a secret": lambda: one_line(b"keyring get ", size),
        "a command that prints a secret on every line": in_turn([b"keyring get x y"], size),
        "pip's masked index URL on every line": in_turn(
            [b"Looking in indexes: https://deploy:****@pypi.internal/simple"], size
        ),
        "a secret-named variable and its value on every line": in_turn([b"TWINE_PASSWORD hunter2hunter2"], size),
        "a lone user of a percent-encoded URL on every line": in_turn(
            [b"next=https%3A%2F%2Fabcdefghij%40pypi.internal%2Fsimple"], size
        ),
        "a JWT on every line": lambda: repeated(
            cycle([b"Set-Cookie: session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl"]),
            size,
        ),
        "a NUL byte on every line": lambda: repeated(cycle([b"pwd=x\x00ERROR: y\x00"]), size),
        "bytes that are not UTF-8 (\\xff runs)": lambda: repeated(cycle([b"\xff" * 1000]), size),
        "one signature literal per line, each after a \\xff": lambda: repeated(
            cycle([b"\xfe" + literal for literal in literals]), size
        ),
        "JSON lines, each a secret": lambda: repeated(cycle([b'{"log": "pwd=x\\n", "stream": "stdout"}']), size),
        "JSON lines, one broken in every 1000": lambda: repeated(
            cycle([b'{"log": "pwd=x\\n", "stream": "stdout"}'] * 999 + [b'{"log": "x\\n", broken}']), size
        ),
        "JSON lines between plain lines": lambda: repeated(
            cycle([b'{"log": "pwd=x\\n", "stream": "stdout"}', b"plain"]), size
        ),
        "one Ansible JSON result holding the whole log": lambda: (
            b'{"msg": "' + (b"pwd=x\\nERROR: y\\n" * (size // 20))[: size - 40] + b'"}'
        ),
        "a JSON value of escaped newlines that is never closed": lambda: one_line(b'"log": "' + b"\\n" * size, size),
        "a quoted line of escaped newlines that is never closed": lambda: one_line(b'"' + b"\\n" * size, size),
        "a line of short JSON values, each an escaped newline": lambda: one_line(b': "\\n" ', size),
        "a Python bytes literal of escaped newlines that is never closed": lambda: one_line(
            b"stderr: b'" + b"\\n" * size, size
        ),
        "Python literals of both quotes, none closed by its own": lambda: one_line(b" '\"\\n", size),
        "a line of short Python bytes literals, each with a newline": lambda: one_line(b"b'x\\n' ", size),
        "a line of short Python str literals past ASCII": lambda: one_line(" 'é\\n'".encode(), size),
        "a line of empty Python literals after one with a newline": lambda: one_line(b"'\\n' " + b"'' " * 100, size),
        "a line of short double-quoted strings read as JSON": lambda: one_line(b' "\\u00e9\\n"', size),
        "a CI timestamp then a secret, every line": lambda: repeated(
            cycle([b"2024-05-01T12:00:00.1234567Z pwd=x"]), size
        ),
        "ANSI colour around every word": lambda: repeated(cycle([b"\x1b[31mERROR:\x1b[0m \x1b[1mpwd=x\x1b[0m"]), size),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5)
    parser.add_argument("--only", help="run the cases whose name contains this")
    arguments = parser.parse_args()
    size = int(arguments.megabytes * 1024 * 1024) - 64
    with catalogue_client() as client:
        client.post("/api/diagnose", b"warm up\n", content_type="text/plain", secure=True)
        print(f"{'crafted log':<50} {'wall':>7} {'CPU':>7} {'answer':>9}  root cause")
        for name, build in crafted_logs(size).items():
            if arguments.only and arguments.only not in name:
                continue
            log = build()
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/diagnose", log, content_type="text/plain", secure=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            body = response.json()
            root = body["matches"][0]["code"] if body.get("matches") else body.get("error", "none")
            print(f"{name:<50} {wall:6.2f}s {cpu:6.2f}s {len(response.content) / 1024:7.0f}KB  {root}")


if __name__ == "__main__":
    main()
