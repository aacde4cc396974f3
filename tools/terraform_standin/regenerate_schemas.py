"""Regenerate the vendored provider schemas after a provider (binding) bump.

When: tests/terraform/test_schema_crosscheck.py fails with "provider bindings and vendored
schemas disagree" after a cdktf provider binding was bumped, or a provider is added.

Where the dumps come from: ``terraform providers schema -json`` of a configuration that
requires exactly the provider versions the installed bindings wrap. That needs the Terraform
registry, which this project's build machines cannot reach, so run it on a machine that can:

    .venv/bin/python -m tools.terraform_standin.regenerate_schemas            # all providers
    .venv/bin/python -m tools.terraform_standin.regenerate_schemas azurerm    # just one

or make the dump anywhere with the same versions and import it here offline:

    terraform providers schema -json > dump.json
    .venv/bin/python -m tools.terraform_standin.regenerate_schemas --from-dump dump.json

Either way the script writes ``schemas/<name>.json.gz`` (one provider's object from the dump,
keys sorted, reproducible gzip) and updates that provider's entry in ``schemas/provenance.json``
(version, binding, source). A provider new to the project also needs its entry there first
(``namespace``) and its binding package in ``toolchain.PACKAGES``.

History: the first dumps (azurerm 4.55.0, kubernetes 2.38.0, helm 3.1.1) came from the
lonegunmanb/terraform-*-schema repositories, which publish resource and data source schemas but
no provider block; the provider blocks were rebuilt from the cdktf bindings and the providers'
source (see provenance.json). time 0.13.1 was transcribed from its source. A real dump made by
this script has everything and replaces them.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import importlib.metadata
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from tools.terraform_standin.schema import SCHEMA_DIR


def wrapped_provider(package: str) -> dict[str, str]:
    """{"name": "registry.terraform.io/hashicorp/azurerm", "version": "4.55.0"}: the provider an
    installed cdktf binding package was generated from (package.json in its jsii assembly)."""
    # From the installed files, not an import: importing a binding starts jsii and loads the
    # whole assembly (and toolchain's import aliases replace a module's __spec__).
    distribution = package.replace("_", "-")
    assembly = next(Path(f.locate()) for f in importlib.metadata.files(distribution) if f.name.endswith(".jsii.tgz"))
    with tarfile.open(assembly) as archive:
        for member in archive:  # stop at it: the azurerm assembly is 30 MB of gzip
            if member.name == "package/package.json":
                return json.load(archive.extractfile(member))["cdktf"]["provider"]
    raise LookupError(f"{assembly} has no package/package.json")


def binding_versions(names: list[str]) -> dict[str, dict[str, str]]:
    """name -> {"binding", "version"}: each installed binding and the provider version it wraps."""
    import toolchain  # the project's: run from the repository root

    packages = toolchain.PACKAGES[toolchain.NAME]
    found = {}
    for name in names:
        distribution = packages[name].replace("_", "-")
        found[name] = {
            "binding": f"{distribution}=={importlib.metadata.version(distribution)}",
            "version": wrapped_provider(packages[name])["version"],
        }
    return found


def dump_with_terraform(namespaces: dict[str, str], versions: dict[str, dict[str, str]], terraform: str) -> dict[str, Any]:
    """``terraform providers schema -json`` of a scratch configuration pinning ``versions``."""
    with tempfile.TemporaryDirectory() as scratch:
        required = {
            name: {"source": f"{namespaces[name]}/{name}", "version": entry["version"]} for name, entry in versions.items()
        }
        Path(scratch, "main.tf.json").write_text(json.dumps({"terraform": {"required_providers": required}}))
        subprocess.run([terraform, "init", "-input=false", "-no-color"], cwd=scratch, check=True)
        out = subprocess.run([terraform, "providers", "schema", "-json"], cwd=scratch, check=True, capture_output=True, text=True)
        return json.loads(out.stdout)


def write_schema(path: Path, provider_schema: dict[str, Any]) -> None:
    body = json.dumps(provider_schema, sort_keys=True, separators=(",", ":")).encode()
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("providers", nargs="*", help="provider names (default: every one in provenance.json)")
    parser.add_argument("--from-dump", type=Path, help="a `terraform providers schema -json` output made elsewhere")
    parser.add_argument("--terraform", default="terraform")
    parser.add_argument("--schema-dir", type=Path, default=SCHEMA_DIR, help="where the dumps and provenance.json live")
    args = parser.parse_args(argv)

    provenance_file = args.schema_dir / "provenance.json"
    provenance = json.loads(provenance_file.read_text())
    entries = provenance["providers"]
    names = args.providers or sorted(entries)
    versions = binding_versions(names)
    namespaces = {name: entries[name]["namespace"] for name in names}
    if args.from_dump:
        dump, origin = json.loads(args.from_dump.read_text()), f"`terraform providers schema -json` ({args.from_dump.name})"
    else:
        dump = dump_with_terraform(namespaces, versions, args.terraform)
        version = subprocess.run([args.terraform, "version"], capture_output=True, text=True, check=True).stdout.split()[1]
        origin = f"`terraform providers schema -json` with Terraform {version}"
    today = datetime.date.today().isoformat()
    for name in names:
        address = f"registry.terraform.io/{namespaces[name]}/{name}"
        if address not in dump["provider_schemas"]:
            raise SystemExit(f"{address} is not in the dump; it has {sorted(dump['provider_schemas'])}")
        target = args.schema_dir / f"{name}.json.gz"
        write_schema(target, dump["provider_schemas"][address])
        entries[name].update(version=versions[name]["version"], binding=versions[name]["binding"], source=f"{origin}, {today}")
        print(f"{name} {versions[name]['version']}: {target}")
    provenance_file.write_text(json.dumps(provenance, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
