#!/usr/bin/env python3
"""The module boundaries, checked by grep of the includes.

Reads the allowed directions from cmake/module_deps.txt (the one table CMake
links the module targets by) and checks every `#include "llmbench/<module>/..."`
in src/<module>/ and include/llmbench/<module>/: a module may include its own
headers and those of the modules its line names, nothing else. Also checks that
the table and the folders agree. Prints every violation as file:line and exits
1; exits 0 with a summary when the tree is clean.

  module_boundaries.py [--root DIR]   check the tree at DIR (default: this repo)
  module_boundaries.py --self-test    plant violations in a scratch tree and
                                      check that each one is reported
"""
import argparse
import pathlib
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]llmbench/([a-z_]+)/')
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".ipp"}


def read_table(path):
    """module -> set of modules it may include, in the file's order."""
    table = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        module, sep, deps = line.partition(":")
        if not sep or not re.fullmatch(r"[a-z_]+", module.strip()):
            raise SystemExit(f"{path}:{number}: expected 'module: dependency ...', got {line!r}")
        table[module.strip()] = set(deps.split())
    return table


def module_folders(root):
    folders = set()
    for base in (root / "src", root / "include" / "llmbench"):
        if base.is_dir():
            folders |= {p.name for p in base.iterdir() if p.is_dir()}
    return folders


def files_of(root, module):
    for base in (root / "src" / module, root / "include" / "llmbench" / module):
        if base.is_dir():
            yield from sorted(p for p in base.rglob("*") if p.suffix in SOURCE_SUFFIXES)


def violations(root, table):
    problems = []
    for folder in sorted(module_folders(root) - set(table)):
        problems.append(f"{folder}/: a module folder that cmake/module_deps.txt does not list")
    for module in sorted(set(table) - module_folders(root)):
        problems.append(f"{module}: listed in cmake/module_deps.txt but has no folder")
    for module, allowed in table.items():
        for path in files_of(root, module):
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                used = match.group(1)
                if used != module and used not in allowed and (used in table or used in module_folders(root)):
                    problems.append(f"{path.relative_to(root)}:{number}: {module} must not include "
                                    f"{used} ({line.strip()}); {module} may use: "
                                    f"{' '.join(sorted(allowed)) or 'nothing'}")
    return problems


def check(root):
    table = read_table(root / "cmake" / "module_deps.txt")
    problems = violations(root, table)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} boundary violation(s)")
        return 1
    files = sum(1 for m in table for _ in files_of(root, m))
    print(f"module boundaries hold: {len(table)} modules, {files} files, every llmbench include allowed")
    for module, allowed in table.items():
        print(f"  {module:<10} may use: {' '.join(sorted(allowed)) or '-'}")
    return 0


def self_test():
    """Plants a violation of each kind and fails unless every one is found."""
    with tempfile.TemporaryDirectory() as scratch:
        root = pathlib.Path(scratch)
        (root / "cmake").mkdir()
        (root / "cmake" / "module_deps.txt").write_text("util:\nload: util\nreport: util load\n")
        for folder in ("src/util", "src/load", "src/report", "include/llmbench/load", "src/stray"):
            (root / folder).mkdir(parents=True)
        (root / "src/load/ok.cpp").write_text('#include "llmbench/load/a.hpp"\n#include "llmbench/util/b.hpp"\n')
        (root / "src/load/bad.cpp").write_text('// report is downstream\n#include "llmbench/report/json.hpp"\n')
        (root / "include/llmbench/load/bad.hpp").write_text('#include <llmbench/report/html.hpp>\n')
        (root / "src/report/ok.cpp").write_text('#include "llmbench/load/a.hpp"\n')
        found = violations(root, read_table(root / "cmake" / "module_deps.txt"))
        expected = ["src/load/bad.cpp:2:", "include/llmbench/load/bad.hpp:1:", "stray/:"]
        missing = [e for e in expected if not any(p.startswith(e) for p in found)]
        extra = [p for p in found if not any(p.startswith(e) for e in expected)]
        if missing or extra:
            print(f"self-test failed: missing {missing}, unexpected {extra}")
            return 1
        print(f"self-test: all {len(expected)} planted violations reported, nothing else")
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[2])
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    return self_test() if args.self_test else check(args.root)


if __name__ == "__main__":
    sys.exit(main())
