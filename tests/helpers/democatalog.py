"""The demo catalog for tests of flows that do not fill a service form.

`resources/catalog/demo-catalog.json` gives most services their form (DESIGN.md section 10), so a
request for them needs its answers. Tests of other things (sync, restore, the window's intake
without a form) register requests that carry none: they take this copy, the same services and
fees without their forms, under the version the demo had before forms."""

from __future__ import annotations

import json
from pathlib import Path

from desk_app.paths import resources_dir

VERSION = "1405-09-01"


def demo_catalog_without_forms() -> dict:
    data = json.loads((resources_dir() / "catalog" / "demo-catalog.json").read_text(encoding="utf-8"))
    data["version"] = VERSION
    for svc in data["services"]:
        svc.pop("form", None)
    return data


def write_demo_catalog_without_forms(path: Path) -> Path:
    path.write_text(json.dumps(demo_catalog_without_forms(), ensure_ascii=False), encoding="utf-8")
    return path
