"""Write resources/catalog/catalog.schema.json from the catalog models (desk_app.domain.catalog).

    .venv/bin/python scripts/catalog_schema.py           # regenerate the checked-in file
    .venv/bin/python scripts/catalog_schema.py --check   # exit 1 when the file is not what the models say

The models are the one declaration of the catalog file; the JSON Schema is for people and for
outside tools, and a test (tests/test_domain_catalog.py) runs `--check`, so CI fails when someone
changes the models without regenerating it, or edits the file by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desk_app.domain.catalog import catalog_json_schema  # noqa: E402

SCHEMA_FILE = ROOT / "resources" / "catalog" / "catalog.schema.json"


def render() -> str:
    return json.dumps(catalog_json_schema(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only compare; exit 1 when the file differs")
    args = ap.parse_args(argv)
    text = render()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else None
    if args.check:
        if current != text:
            print(f"{SCHEMA_FILE.relative_to(ROOT)} is not generated from the models: run scripts/catalog_schema.py")
            return 1
        return 0
    if current != text:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
