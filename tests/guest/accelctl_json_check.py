#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Validates accelctl --json output against docs/accelctl.schema.json.

usage: accelctl_json_check.py SCHEMA COMMAND [--error] [--count N]   (stdin)
       accelctl_json_check.py SCHEMA SPEC...   SPEC = COMMAND[:error][:N]=FILE
  COMMAND  the command every document must name
  error    the documents must be error documents (else: none may be)
  N        exactly N documents (default: at least one)
One document per line (top prints one per sample). Prints what is wrong
and exits 1; exits 0 when every document is valid. The SPEC form checks
several outputs with one interpreter start (slow under TCG).
"""
import json
import sys

import jsonschema


def check(validator, command, want_error, count, text):
    # JSON Lines: only "\n" ends a document (str.splitlines would also
    # split at U+2028 and friends, which JSON strings may hold raw).
    lines = [l for l in text.split("\n") if l.strip()]
    if not lines:
        return f"accelctl {command} --json: expected at least one document, got no output"
    if count is not None and len(lines) != count:
        return f"accelctl {command} --json: expected {count} documents, got {len(lines)}"
    for n, line in enumerate(lines, 1):
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as e:
            return f"accelctl {command} --json: document {n} is not JSON ({e}): {line[:200]}"
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            return (f"accelctl {command} --json: document {n} violates the schema at {where}: "
                    f"{e.message[:300]}")
        if doc["command"] != command:
            return f"accelctl {command} --json: document {n} names command {doc['command']!r}"
        if want_error != ("error" in doc):
            return (f"accelctl {command} --json: document {n}: expected "
                    f"{'an error' if want_error else 'no error'}, got {line[:200]}")
    return None


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    jobs = []
    if "=" in args[1]:
        for spec in args[1:]:
            head, path = spec.split("=", 1)
            parts = head.split(":")
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            count = next((int(p) for p in parts[1:] if p.isdigit()), None)
            jobs.append((parts[0], "error" in parts[1:], count, text))
    else:
        count = int(args[args.index("--count") + 1]) if "--count" in args else None
        jobs.append((args[1], "--error" in args, count, sys.stdin.read()))
    for job in jobs:
        msg = check(validator, *job)
        if msg:
            print(msg)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
