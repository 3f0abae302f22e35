"""The secrets the diagnosis removes from a pasted log: known token formats, then shapes.

Each rule is an RE2 pattern over one line (one reads the line below too), with a `secret`
group for what is removed; the rest of the pattern is context that stays. Known formats come first: the prefixes
their issuers document (named in `source`), checked against the rule lists of the
public secret scanners gitleaks and detect-secrets, and written here in our own RE2.
Shape rules then catch formats nobody listed: credentials in URLs, `name=value` and
`name: value` pairs whose name says secret, private-key blocks, JWTs, and long
high-entropy tokens.
"""

from typing import NamedTuple

from kb.diagnosis.cleaning import CI_PREFIXES


class SecretRule(NamedTuple):
    name: str
    pattern: str
    source: str


# A value in an assignment; one that starts with `$`, `%` or `{` is a variable reference.
VALUE = r"""[^\s"'&;,<>\[\]$%{][^\s"'&;,<>]*"""
# Names that say their value is a secret, as a suffix of a longer name (TWINE_PASSWORD,
# NEXUS_PASS in capitals: `user_pass = ...` is a line of Python in a traceback); `token`
# alone also names counts and states (`token: applied`).
_SECRET_WORDS = (
    r"password|passwd|pwd|(?-i:_PASS)|secret|api_?key|apikey|access_?key|account_?key"
    r"|private_?key(?:_?id)?|client_?secret|credentials?|_auth|auth_?token|sas_?token"
)
_STRONG_NAME = r"(?i:[a-z0-9_.-]*(?:" + _SECRET_WORDS + "))"
_SECRET_NAME = r"(?i:[a-z0-9_.-]*(?:" + _SECRET_WORDS + "|token))"
# An environment variable's name that says secret, in capitals, after a word of its own
# (PGPASSWORD, TWINE_PASSWORD): `PASSWORD` alone is a word of prose written loud, and
# `OLDPWD` is a directory.
_VARIABLE_NAME = (
    r"(?-i:\b[A-Z0-9_]+(?:PASSWORD|PASSWD|_PWD|_PASS|SECRET|_?API_?KEY|_?ACCESS_?KEY|_PRIVATE_KEY|_AUTH|_TOKEN))"
)
# Commands that print a secret alone on the next line: keyring, `aws codeartifact
# get-authorization-token`, `aws ecr get-login-password`, `gcloud auth print-access-token`,
# `gh auth token`, password stores, and printing a secret-named variable.
PRINTS_A_SECRET = (
    r"(?i:\bkeyring\s+get|\b(?:get|print)-(?:[a-z]+-)*(?:token|password|secret)s?|\bauth[\s:]+token"
    r"|\b(?:go)?pass\s+show|\bop\s+read|\bsecret-tool\s+lookup|\bfind-[a-z]+-password"
    r"|\bprintenv\s+" + _SECRET_NAME + r"|\becho\s+[\"']?\$\{?" + _SECRET_NAME + r")\b"
)
# A name and a colon that a tool running commands on several machines puts before each line of
# theirs (Vagrant's `    default: `, pdsh's `build01: `), or a process and node in brackets (Ray's
# `(pid=runtime_env, ip=10.0.0.5) `).
_MACHINE_PREFIX = r"(?:[ \t]*(?:[\w.@-]+:|\([\w.,= -]+\))[ \t]+)"
# The header a program's logger puts before each line it logs of a command's output: a level
# (after a clock, if any), then `- `, `:<logger>:` or `[<logger>] ` (Python's logging formats).
_LOGGER_RECORD = (
    r"(?:[^\n]*?\b(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\b(?:[ \t]*-[ \t]*|:[\w.]*:|[ \t]+\[[\w.-]+\][ \t]*))"
)
_PRINTED_LINE_PREFIX = "(?:" + "|".join(CI_PREFIXES) + ")*" + _MACHINE_PREFIX + "?" + _LOGGER_RECORD + "?"

KNOWN_FORMATS = (
    SecretRule("pypi", r"(?P<secret>pypi-[A-Za-z0-9_-]{16,})", "PyPI API tokens (pypi.org/help, API tokens)"),
    SecretRule(
        "github", r"(?P<secret>gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})", "GitHub token prefixes"
    ),
    SecretRule(
        "gitlab",
        r"(?P<secret>gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat|agent|wt)-[A-Za-z0-9_-]{16,})",
        "GitLab token prefixes",
    ),
    SecretRule("npm", r"(?P<secret>npm_[A-Za-z0-9]{30,})", "npm access tokens"),
    SecretRule("aws-key-id", r"\b(?P<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})\b", "AWS IAM key ids"),
    # The secret half of an AWS key pair is 40 characters after its name; `aws configure set
    # NAME VALUE` and environment listings put a space or a tab between them.
    SecretRule(
        "aws-secret-key",
        r"(?i:aws_?secret_?access_?key|aws-secret-access-key|secretaccesskey)[\"']?\s*[=:]?\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
        "AWS secret access keys after their name",
    ),
    SecretRule("google-api-key", r"(?P<secret>AIza[0-9A-Za-z_-]{35})", "Google Cloud API keys"),
    SecretRule("google-oauth", r"(?P<secret>ya29\.[0-9A-Za-z_-]{20,}|GOCSPX-[0-9A-Za-z_-]{20,})", "Google OAuth"),
    SecretRule("slack-token", r"(?P<secret>xox[abeposr]-[0-9A-Za-z-]{10,}|xapp-\d-[0-9A-Za-z-]{10,})", "Slack tokens"),
    SecretRule(
        "slack-webhook",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9/_-]{20,})",
        "Slack incoming webhooks",
    ),
    SecretRule(
        "discord-webhook",
        r"discord(?:app)?\.com/api/webhooks/(?P<secret>[0-9]+/[A-Za-z0-9_-]{20,})",
        "Discord webhooks",
    ),
    SecretRule("stripe", r"\b(?P<secret>[sr]k_(?:live|test)_[0-9A-Za-z]{10,})", "Stripe secret and restricted keys"),
    SecretRule("heroku", r"(?P<secret>HRKU-[0-9A-Za-z_-]{20,})", "Heroku API keys"),
    SecretRule(
        "artifactory", r"\b(?P<secret>AKCp[0-9A-Za-z]{10,}|cmVmd[0-9A-Za-z]{20,})", "JFrog Artifactory API keys"
    ),
    SecretRule(
        "ai-platform",
        r"\b(?P<secret>sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d\d-)?[0-9A-Za-z_-]{32,}|hf_[0-9A-Za-z]{30,})",
        "OpenAI, Anthropic and Hugging Face API keys",
    ),
    SecretRule(
        "azure-ad-secret",
        r"\b(?P<secret>[0-9A-Za-z_~.]{3}\dQ~[0-9A-Za-z_~.-]{31,34})",
        "Microsoft Entra client secrets",
    ),
    SecretRule("sendgrid", r"(?P<secret>SG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,})", "SendGrid API keys"),
    SecretRule(
        "hosting",
        r"\b(?P<secret>shp(?:at|ca|pa|ss)_[0-9a-fA-F]{32}|do[opr]_v1_[0-9a-f]{64}|dapi[0-9a-f]{32}|sbp_[0-9a-f]{40})",
        "Shopify, DigitalOcean, Databricks and Supabase tokens",
    ),
    SecretRule(
        "dev-tools",
        r"\b(?P<secret>ATATT3[0-9A-Za-z_=-]{20,}|PMAK-[0-9a-f]{24}-[0-9a-f]{34}|lin_api_[0-9A-Za-z]{40}"
        r"|dckr_pat_[0-9A-Za-z_-]{20,}|rubygems_[0-9a-f]{48}|sntry[su]_[0-9A-Za-z+/=_-]{20,}|oy2[a-z0-9]{43})",
        "Atlassian, Postman, Linear, Docker Hub, RubyGems, Sentry and NuGet tokens",
    ),
    SecretRule(
        "vault",
        r"\b(?P<secret>hv[sbr]\.[0-9A-Za-z_-]{24,}|[0-9a-z]{14}\.atlasv1\.[0-9A-Za-z_=-]{60,}"
        r"|dp\.(?:pt|st|sa|ct|scim|audit)\.[0-9A-Za-z]{40,}|gl(?:c|sa)_[0-9A-Za-z+/_=-]{32,})",
        "HashiCorp Vault and Terraform Cloud, Doppler and Grafana tokens",
    ),
    SecretRule("twilio", r"\b(?P<secret>SK[0-9a-fA-F]{32})\b", "Twilio API keys"),
    SecretRule("age", r"(?P<secret>AGE-SECRET-KEY-1[0-9A-Z]{58})", "age secret keys"),
    # Gemfury's private address puts the token before the account (`repo.fury.io/TOKEN/me/`);
    # tokens mix cases, account names are small letters.
    SecretRule(
        "gemfury",
        r"\.fury\.io/(?P<secret>[a-z0-9_-]*[A-Z][A-Za-z0-9_-]*)/",
        "Gemfury repository addresses with a token",
    ),
)

# A URL's scheme and separator; path-joining tools print `https:/host` (POSIX) or
# `https:\host` (Windows) for `https://host`, and an http(s) URL works with none at all.
_SEPARATOR = r"(?:/{1,2}|\\{1,2})"
_HTTP_SCHEME = r"(?i:\b(?:[a-z]+\+)?https?):"
_URL_START = r"(?:[a-zA-Z][\w+.-]*:" + _SEPARATOR + "|" + _HTTP_SCHEME + ")"
# What a user name holds: not a path, a port, a quote or pip's `****` mask.
_URL_USER = r"""[^\s/\\:@'"*?#\[\]<>][^\s/\\:@'"?#\[\]<>]*"""
# A character of a percent-encoded URL's user name (not `%3A`, `%40`, `%2F`), and of its
# password (which may hold `%3A`).
_ENCODED_USER_CHAR = r"(?:[^\s%/:@'\"&?#<>]|%(?:[015-9A-Fa-f][0-9A-Fa-f]|2[0-9A-Ea-e]|3[0-9B-Fb-f]|4[1-9A-Fa-f]))"
_ENCODED_PASSWORD_CHAR = "(?:" + _ENCODED_USER_CHAR + "|%3[Aa])"

# A `'` inside a URL password, and what follows it up to the next one.
_QUOTES_IN_PASSWORD = r"""(?:'+[^\s/'",;)\]][^\s/'"]*)"""

SHAPES = (
    # user:password@ in any URL (the password may hold `@`, a `'` that no `,` `;` `)` `]`
    # follows, or `/` when it is no port and path); pip's own `****` mask is kept, and not
    # matched at all: a log of masked URLs, each turned down in Python, took 3 s a MB.
    SecretRule(
        "url-password",
        _URL_START + r"""(?P<secret>[^\s/:'"]*:(?:\**[^\s/'"*][^\s/'"]*""" + _QUOTES_IN_PASSWORD + "*'*"
        r"""|\**""" + _QUOTES_IN_PASSWORD + r"""+'*|\**'+"""
        r"""|(?:[^\s/@'"\d]|\d+[^\s/@'"\d])[^\s/@'"]*/[^\s@'"]*|))@""",
        "credentials in a URL (RFC 3986 userinfo)",
    ),
    SecretRule(
        "encoded-url-password",
        r"(?i:[a-z][\w+.-]*%3A%2F%2F)(?P<secret>" + _ENCODED_USER_CHAR + "*%3[Aa]" + _ENCODED_PASSWORD_CHAR + "+)%40",
        "credentials in a percent-encoded URL (a URL passed as a query value)",
    ),
    SecretRule(
        "encoded-url-user",
        r"(?i:\b(?:[a-z]+(?:\+|%2B))?https?%3A%2F%2F)(?P<secret>" + _ENCODED_USER_CHAR + "+)%40",
        "a user without a password in a percent-encoded http(s) URL (a token, as in http-url-user)",
    ),
    # A URL user with a digit in it, or a long one, is a token (https://TOKEN@host).
    SecretRule(
        "url-token",
        _URL_START + r"(?P<secret>[\w.~%-]*\d[\w.~%-]*|[\w-]{20,})@",
        "a token used as the user of a URL",
    ),
    # Over http(s) a user without a password is a token, as pip too takes it (it prints
    # `https://****@host`); over ssh and the rest it is an account (`ssh://git@host`).
    SecretRule(
        "http-url-user",
        _HTTP_SCHEME + _SEPARATOR + r"(?P<secret>" + _URL_USER + ")@",
        "a user without a password in an http(s) URL",
    ),
    # pip and requests take a proxy without a scheme too (`--proxy user:pw@proxy:3128`).
    SecretRule(
        "proxy-credentials",
        r"""(?i:--proxy|[a-z_]*proxy)\s*[=:]?\s*["']?(?P<secret>[^\s/:@'"]+:[^\s/@'"][^\s@'"]*)@""",
        "credentials in a proxy address without a scheme",
    ),
    # conda and mamba put a channel's token in the path (`https://host/t/TOKEN/channel`)
    # and print `/t/<TOKEN>/`; a forum topic's words are followed by its number
    # (`/t/pep-668-topic/10302`), a token by its channel or by the URL's end.
    SecretRule(
        "conda-token",
        r"(?i:https?)://[^\s/?#]+(?:/[^\s/?#]+)*?/t/(?P<secret>[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*)"
        r"""(?:/\d*[^\s/?#\d]|/?(?:[\s"'?#]|(?m:$)))""",
        "conda channel tokens in URL paths",
    ),
    SecretRule(
        "url-query",
        r"[?&;](?i:sig|signature|token|access_token|auth|api_?key|apikey|key|password|passwd|secret|client_secret"
        r"|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)="
        r"(?P<secret>[^\s&#\"'<>;]+)",
        "secrets in URL query strings (SAS signatures, API keys)",
    ),
    SecretRule(
        "authorization",
        r"(?i:authorization)\s*[:=]\s*(?:(?i:basic|bearer|token|digest)\s+)?(?P<secret>" + VALUE + ")",
        "HTTP Authorization headers",
    ),
    SecretRule("bearer", r"(?i:bearer)\s+(?P<secret>[A-Za-z0-9._~+/=-]{8,})", "bearer tokens"),
    SecretRule(
        "secret-header",
        r"(?i:x-[a-z0-9-]*(?:api|token|key|auth|secret|password)[a-z0-9-]*|private-token|api-key|apikey)\s*:\s*"
        r"(?P<secret>" + VALUE + ")",
        "HTTP headers that carry keys (X-JFrog-Art-Api, X-Api-Key, Private-Token)",
    ),
    SecretRule("cookie", r"(?i:set-cookie|cookie)\s*:\s*[^=\s;]+=(?P<secret>[^\s;]+)", "cookies"),
    SecretRule(
        "jwt",
        r"\b(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)",
        "JSON Web Tokens (RFC 7519)",
    ),
    SecretRule(
        "private-key",
        r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?P<secret>(?:[^-\n]|-[^-\n])*)",
        "PEM private-key blocks (RFC 7468); the lines up to the END line go too",
    ),
    SecretRule(
        "cli-option-quoted",
        r"""(?i:--password|--passwd|--token|--api-key)(?:=|\s+)["'](?P<secret>[^"'\n]*[^"'\n\s][^"'\n]*)""",
        "quoted password and token options",
    ),
    SecretRule(
        "cli-option",
        r"(?i:--password|--passwd|--token|--api-key)(?:=|\s+)(?P<secret>" + VALUE + ")",
        "password and token options",
    ),
    # `-p VALUE` is a password only next to a user name (`-u NAME`, `docker login`).
    SecretRule(
        "login-option",
        r"""(?:\blogin\b|\s-u\s*\S+)[^\n]*?\s-p\s*["']?(?P<secret>[^\s"'-][^\s"']*)""",
        "docker login and similar -u/-p pairs",
    ),
    # curl's `-u user:password` and `poetry config http-basic.NAME user password`.
    SecretRule(
        "command-credentials",
        r"""(?:\bcurl\b[^\n]*?\s(?:-u|--user)[\s=]*["']?[^\s:'"]*:|\bhttp-basic\.\S+\s+\S+\s+["']?)"""
        r"""(?P<secret>[^\s'"]+)""",
        "credentials given to curl and poetry on the command line",
    ),
    SecretRule(
        "netrc",
        r"(?:\b(?:login|machine)\s+\S+\s+|(?m:^)\s*)password\s+(?P<secret>\S+)"
        r"(?:\s*(?m:$)|\s+(?:account|macdef|machine|default)\b)",
        "netrc entries",
    ),
    SecretRule(
        "quoted-assignment",
        _SECRET_NAME + r"""["']?\s*[=:]\s*["'](?P<secret>[^"'\n]*[^"'\s][^"'\n]*)["']""",
        "quoted secret assignments (JSON, YAML, Python)",
    ),
    SecretRule("assignment", _SECRET_NAME + r"\s*=\s*(?P<secret>" + VALUE + ")", "secret assignments (shell, INI)"),
    SecretRule("colon-assignment", _STRONG_NAME + r":[ \t]+(?P<secret>" + VALUE + ")", "secret fields (YAML, .pypirc)"),
    SecretRule(
        "listed-variable",
        _VARIABLE_NAME + r"[ \t]+(?P<secret>" + VALUE + r")[ \t\r]*(?m:$)",
        "secret-named variables in listings that put a space between name and value (set, env tables)",
    ),
    # The line below such a command, when it holds one word (after the prefixes CI systems and
    # other wrappers put before every line): a JSON answer (`{`) or a message is left alone.
    # The one rule that reads two lines.
    SecretRule(
        "printed-secret",
        PRINTS_A_SECRET + r"[^\n]*\n" + _PRINTED_LINE_PREFIX + r"[ \t]*"
        r"(?P<secret>[^\s{\[]\S*)[ \t\r]*(?m:$)",
        "the output of commands that print a secret",
    ),
    # `token: applied` is prose; a token's value holds a digit.
    SecretRule(
        "colon-token",
        r"(?i:[a-z0-9_.-]*token):[ \t]+(?P<secret>[^\s\"'&;,<>\[\]$%{]*\d[^\s\"'&;,<>]*)",
        "token fields (YAML)",
    ),
    # Every token of 32 characters or more, removed to its end if it looks random (mixed
    # case, digits, entropy: checked in redaction.py), also as the value of any NAME=. Kept
    # this plain so that RE2 reads random text fast.
    SecretRule(
        "high-entropy",
        r"(?:(?m:^)|[^A-Za-z0-9+/=_-]|[A-Za-z0-9_]=)(?P<secret>[A-Za-z0-9+/_-]{32,}[A-Za-z0-9+/=_-]*)",
        "long random tokens that no rule names (checked for entropy)",
    ),
)

RULES = KNOWN_FORMATS + SHAPES
