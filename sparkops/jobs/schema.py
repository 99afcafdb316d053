"""The JSON Schema of a sparkops job spec, published as ``docs/job-spec.schema.json``.

Editors and CI can check specs with it; ``sparkops validate`` goes further (operator names
and parameters against the registry, suite files on disk). The op list is the registry's.
"""

from __future__ import annotations

from sparkops.jobs.spec import EXPORT_FORMATS, INPUT_FORMATS
from sparkops.core import all_ops


def spec_schema() -> dict:
    op_names = [o.name for o in all_ops()]
    op_entry = {
        "description": "Data-Juicer op syntax: `- op_name:` or `- op_name: {param: value}`",
        "oneOf": [
            {"type": "string", "enum": op_names},
            {"type": "object", "minProperties": 1, "maxProperties": 1,
             "propertyNames": {"enum": op_names},
             "additionalProperties": {"type": ["object", "null"]}},
        ],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://sparkops.dev/schemas/job-spec.json",
        "title": "sparkops job spec",
        "type": "object",
        "required": ["name", "input", "output", "stages"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "input": {
                "type": "object", "required": ["format", "path"], "additionalProperties": False,
                "properties": {
                    "format": {"enum": list(INPUT_FORMATS)},
                    "path": {"type": "string", "description": "file, folder or glob; relative to the spec"},
                    "text_key": {"type": "string", "default": "text",
                                 "description": "the field the ops read; 'response' for SFT / preference formats"},
                },
            },
            "output": {
                "type": "object", "required": ["path"], "additionalProperties": False,
                "properties": {
                    "path": {"type": "string", "description": "one Delta table per stage below it"},
                    "export": {"type": "string", "pattern": "\\.(jsonl|json|parquet)$",
                               "description": "also write the last stage's kept records to this file"},
                    "export_format": {"enum": list(EXPORT_FORMATS),
                                      "description": "a trainer's format the export converts records to"},
                },
                "dependentRequired": {"export_format": ["export"]},
            },
            "stages": {
                "type": "array", "minItems": 1,
                "items": {
                    "type": "object", "required": ["name", "process"], "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "pattern": "^[a-z0-9-][a-z0-9_-]*$"},
                        "description": {"type": "string"},
                        "process": {"type": "array", "minItems": 1, "items": op_entry},
                        "expect": {"type": "string", "description": "Great Expectations 1.x suite (JSON)"},
                    },
                },
            },
        },
    }
