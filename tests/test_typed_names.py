#!/usr/bin/env python3
"""Every typed symbol of the library can be found with grep in the source file that defines it.

The f32/f64 twins are compiled from one precision-generic body each (src/*_prec.inc), so their
names are not spelled out where the body is. What this checks: for every global symbol named
sl_*_f32* / sl_*_f64* that an object of the library defines (the shared library's exports among
them, all of which must be covered), the source file the object was compiled from holds, outside
comments, a line that defines it: a function definition starting in column 0 (`... name(`) or
the one-line name binding of an instantiation (`#define SL_SCORE sl_score_f32` before the
body's #include). A SIMD kernel's name ends in the ISA its object was compiled for
(-DSL_ISA=avx2: sl_score_f64_avx2), which the source cannot spell: its binding names the typed
part (`#define SCORE_KERNEL SL_ISA_NAME(sl_score_f64)`). A name produced only by token pasting,
or named only in a comment, fails.

Usage: test_typed_names.py NM SOURCE_DIR SHARED_LIBRARY OBJECT...
Objects are CMake's (<target>.dir/<source path relative to SOURCE_DIR>.o).
"""
import pathlib
import re
import subprocess
import sys

TYPED = re.compile(r"^sl_\w+_f(32|64)\w*$")
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def defined_globals(nm, path, dynamic=False):
    args = [nm, "--defined-only", "--extern-only"] + (["-D"] if dynamic else []) + [str(path)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return {f[2] for f in (line.split() for line in out.splitlines()) if len(f) == 3}


def source_of(obj, source_dir):
    """The source an object of CMake's was compiled from: the path after '<target>.dir/'."""
    rel = re.sub(r"^.*?\.dir/", "", obj.as_posix())
    src = source_dir / rel[: -len(".o")]
    if not src.is_file():
        sys.exit(f"cannot tell which source {obj} was compiled from (no {src})")
    return src


def without_comments(text):
    # a comment becomes as many newlines as it spans, so line numbers stay those of the file
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def defining_lines(symbol, isa, text):
    """The (line number, line) pairs of text (comments removed) that define symbol, compiled for
    isa (None: not a SIMD object)."""
    definition = re.compile(r"^[A-Za-z_][\w \*]*\b" + symbol + r"\s*\(")
    bound = symbol
    if isa and symbol.endswith("_" + isa):
        bound = r"SL_ISA_NAME\(\s*" + symbol[: -len(isa) - 1] + r"\s*\)"
    binding = re.compile(r"^\s*#\s*define\s+\w+\s+" + bound + r"\s*$")
    return [(i, line) for i, line in enumerate(text.splitlines(), 1)
            if definition.match(line) or binding.match(line)]


def main():
    nm, source_dir, shared = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    objects = [pathlib.Path(o) for o in sys.argv[4:]]
    exported = {s for s in defined_globals(nm, shared, dynamic=True) if TYPED.match(s)}
    if not exported:
        sys.exit(f"{shared} exports no sl_*_f32 / sl_*_f64 symbol: wrong library?")

    defined_in = {}  # symbol -> (source file, ISA of its object or None)
    failures = []
    for obj in objects:
        src = source_of(obj, source_dir)
        target = re.search(r"softlabel_(\w+)\.dir/", obj.as_posix())
        isa = target.group(1) if target and target.group(1) != "core" else None
        for symbol in sorted(s for s in defined_globals(nm, obj) if TYPED.match(s)):
            defined_in[symbol] = (src, isa)
    for symbol in sorted(exported - defined_in.keys()):
        failures.append(f"{symbol}: exported, but no object given defines it")

    checked = 0
    for symbol, (src, isa) in sorted(defined_in.items()):
        text = without_comments(src.read_text())
        lines = defining_lines(symbol, isa, text)
        rel = src.relative_to(source_dir)
        if lines:
            checked += 1
            i, line = lines[0]
            print(f"{symbol}: {rel}:{i}: {line.strip()}")
        else:
            failures.append(f"{symbol}: no line of {rel} defines it (outside comments)")
    for f in failures:
        print("FAIL", f)
    print(f"{checked} typed symbols found where they are defined "
          f"({len(exported)} exported by {pathlib.Path(shared).name}), {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
