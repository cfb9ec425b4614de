#!/usr/bin/env python3
"""The in-repository golden vectors are intact: every file listed in SHA256SUMS has its recorded
digest, and no data file is left out of the manifest. Where the steering copy (../shared/golden
beside the clone) exists, each file equals it byte for byte."""
import hashlib
import pathlib
import sys

golden = pathlib.Path(sys.argv[1])
shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
manifest = {}
for line in (golden / "SHA256SUMS").read_text().splitlines():
    digest, name = line.split(maxsplit=1)
    manifest[name] = digest

failures = []
data_files = sorted(p.name for p in golden.iterdir() if p.suffix in (".csv", ".jsonl"))
if sorted(manifest) != data_files:
    failures.append(f"manifest lists {sorted(manifest)}, directory has {data_files}")
for name, digest in manifest.items():
    actual = hashlib.sha256((golden / name).read_bytes()).hexdigest()
    if actual != digest:
        failures.append(f"{name}: sha256 {actual}, manifest says {digest}")
    if shared is not None and (shared / name).is_file():
        if (shared / name).read_bytes() != (golden / name).read_bytes():
            failures.append(f"{name}: differs from {shared / name}")

checked_shared = shared is not None and shared.is_dir()
print(f"{len(manifest)} golden files checked"
      + (f", compared with {shared}" if checked_shared else ", no steering copy beside the clone"))
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
