"""Reads a YAML span file with PyYAML (its pure-Python safe loader, independent of the Rust reader)
and prints, per document, the fields the round-trip test compares, as one JSON list.

Floats are printed with repr() so NaN, infinities and -0.0 survive JSON."""
import json
import math
import sys

import yaml


def value(v):
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", "nan" if math.isnan(v) else repr(v)]
    if isinstance(v, str):
        return ["str", v]
    return ["other", repr(v)]


def main(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for doc in yaml.load_all(f, Loader=yaml.SafeLoader):
            if doc is None:
                continue
            out.append(
                {
                    "span_id": doc["span_id"],
                    "name": doc["name"],
                    "error": doc.get("error"),
                    "checkpoints": [c["name"] for c in doc.get("checkpoints", [])],
                    "tags": [[k, *value(v)] for k, v in (doc.get("tags") or {}).items()],
                }
            )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
