"""The JSON API described as OpenAPI 3.1, for programs and their authors (served at /api/openapi.json).

The shapes are those of ``kb.serializers`` and ``kb.diagnosing.report_dict``; the tests
validate real responses against them, so the document cannot drift from the API unnoticed.
"""

NULLABLE_STRING = {"type": ["string", "null"]}
ERROR_RESPONSE = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "description": "A sentence a person understands."}},
    },
    "Source": {
        "type": "object",
        "required": ["version", "path", "symbol", "start_line", "end_line", "url"],
        "properties": {
            "version": {"type": "string", "examples": ["24.0"]},
            "path": {"type": "string", "examples": ["src/pip/_internal/exceptions.py"]},
            "symbol": {"type": "string", "examples": ["HashMismatch"]},
            "start_line": {"type": "integer", "minimum": 1},
            "end_line": {"type": "integer", "minimum": 1},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Match": {
        "type": "object",
        "required": ["code", "tool", "severity", "title", "url", "lines", "excerpt", "facts", "source"],
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z0-9_]+$", "examples": ["HASH_MISMATCH"]},
            "tool": {"type": "string", "description": "The program whose output the match was found in."},
            "severity": {"enum": ["error", "warning"]},
            "title": {"type": "string"},
            "url": {"type": "string", "format": "uri", "description": "The entry's page."},
            "lines": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "minItems": 2,
                "maxItems": 2,
                "description": "First and last 1-based line of the log as submitted.",
            },
            "excerpt": {"type": "string"},
            "facts": {"type": "object", "additionalProperties": {"type": "string"}},
            "source": {"oneOf": [{"$ref": "#/components/schemas/Source"}, {"type": "null"}]},
        },
    },
    "Diagnosis": {
        "type": "object",
        "required": ["outcome", "tool", "pip_version", "python_version", "redacted", "matches"],
        "properties": {
            "outcome": {
                "enum": ["failed", "succeeded", "warnings", "other-tool", "unknown"],
                "description": "other-tool: the output is another installer's; `tool` names it.",
            },
            "tool": {"type": "string", "examples": ["pip", "uv", "poetry", "conda"]},
            "pip_version": NULLABLE_STRING,
            "python_version": NULLABLE_STRING,
            "redacted": {"type": "integer", "minimum": 0, "description": "Secrets removed before reading."},
            "partial": {**NULLABLE_STRING, "description": "Set when the log could not be read whole."},
            "matches": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Match"},
                "description": "The root cause first; a warning never before an error.",
            },
        },
    },
    "EntrySummary": {
        "type": "object",
        "required": ["code", "tool", "title", "url", "updated"],
        "properties": {
            "code": {"type": "string"},
            "tool": {"type": "string"},
            "title": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "updated": {"type": "string", "format": "date-time"},
        },
    },
    "Entry": {
        "allOf": [{"$ref": "#/components/schemas/EntrySummary"}],
        "type": "object",
        "required": ["summary", "severity", "sections", "causes", "signatures", "sources"],
        "properties": {
            "summary": {"type": "string"},
            "category": {"type": "string"},
            "severity": {"enum": ["error", "warning"]},
            "header": {"type": "string", "description": "The error text as pip prints it."},
            "pip_versions": {"type": "string"},
            "verified_with": {"type": "string"},
            "sections": {"type": "object", "additionalProperties": {"type": "string"}},
            "causes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["title", "body"],
                    "properties": {"title": {"type": "string"}, "body": {"type": "string"}},
                },
            },
            "signatures": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["pattern", "regex"],
                    "properties": {
                        "pattern": {"type": "string"},
                        "regex": {"type": "boolean"},
                        "detail": {"type": "string"},
                        "only_if_failed": {"type": "boolean"},
                    },
                },
            },
            "related": {"type": "array", "items": {"type": "string"}},
            "refines": {"type": "array", "items": {"type": "string"}},
            "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
        },
    },
}


def diagnose_operation() -> dict:
    return {
        "summary": "Diagnose a pip log",
        "description": "No login. The body is the raw log, or JSON with the log under `log`.",
        "operationId": "diagnose",
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {"type": "object", "required": ["log"], "properties": {"log": {"type": "string"}}}
                },
            },
        },
        "responses": {
            "200": {
                "description": "The diagnosis.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Diagnosis"}}},
            },
            "400": {"description": "Empty, not text, or bad JSON.", **ERROR_RESPONSE},
            "413": {"description": "Over the size limit.", **ERROR_RESPONSE},
            "429": {"description": "Too many requests from this client.", **ERROR_RESPONSE},
            "503": {
                "description": "The server holds as many large logs as it can; try again after Retry-After seconds.",
                **ERROR_RESPONSE,
            },
        },
    }


def openapi_document(base_url: str) -> dict:
    entry_parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in ("tool", "code")
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pip Error Knowledge Base API",
            "version": "1",
            "description": "Diagnose pip logs and read the entries that explain pip's errors.",
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "paths": {
            "/api/diagnose": {"post": diagnose_operation()},
            "/api/entries": {
                "get": {
                    "summary": "Every published entry",
                    "operationId": "listEntries",
                    "responses": {
                        "200": {
                            "description": "The entries.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["entries"],
                                        "properties": {
                                            "entries": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/EntrySummary"},
                                            }
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/api/entries/{tool}/{code}": {
                "get": {
                    "summary": "One entry: its sections as Markdown, signatures and pip source references",
                    "operationId": "getEntry",
                    "parameters": entry_parameters,
                    "responses": {
                        "200": {
                            "description": "The entry.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Entry"}}},
                        },
                        "404": {"description": "No published entry with that code.", **ERROR_RESPONSE},
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
