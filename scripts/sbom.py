#!/usr/bin/env python3
"""Prints the SBOM of a release bundle as CycloneDX 1.5 JSON: every crate of Cargo.lock
compiled from a registry (with its SHA-256 from the lock file) and every npm package the
site ships (frontend/package-lock.json: hls.js). Standard library only; nothing is fetched.

Usage: scripts/sbom.py VERSION > codex-VERSION-sbom.cdx.json
"""

import json
import sys
import tomllib
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def crates():
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    for package in lock.get("package", []):
        if "source" not in package:
            continue  # a crate of this workspace
        component = {
            "type": "library",
            "name": package["name"],
            "version": package["version"],
            "purl": f"pkg:cargo/{package['name']}@{package['version']}",
        }
        if "checksum" in package:
            component["hashes"] = [{"alg": "SHA-256", "content": package["checksum"]}]
        yield component


def npm_packages(lock_file):
    lock = json.loads(lock_file.read_text())
    for path, package in lock.get("packages", {}).items():
        if not path or package.get("dev"):
            continue
        name = path.rsplit("node_modules/", 1)[-1]
        yield {
            "type": "library",
            "name": name,
            "version": package["version"],
            "purl": f"pkg:npm/{name.replace('@', '%40')}@{package['version']}",
        }


def main():
    version = sys.argv[1] if len(sys.argv) > 1 else "unreleased"
    components = sorted(
        [*crates(), *npm_packages(ROOT / "frontend" / "package-lock.json")],
        key=lambda c: (c["purl"]),
    )
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "component": {"type": "application", "name": "codex", "version": version},
        },
        "components": components,
    }
    json.dump(bom, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
