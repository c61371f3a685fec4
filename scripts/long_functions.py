#!/usr/bin/env python3
"""Lists functions longer than a limit (default 60 lines) in src/.

A heuristic, not a parser: it blanks comments, strings and character literals,
then matches braces. A `{` opens a function body when the text before it (back
to the previous `;`, `{` or `}`) ends in a parameter list `)` — optionally
followed by const, noexcept, override, a trailing return type or a constructor's
initialiser list — and is not a control statement (if, for, while, switch,
catch) or a lambda. Lambdas are counted inside their enclosing function.
Braced initialisers of data tables are not function bodies, and a function
whose whole body is `return { ...table... };` is a data table too (exempt). Prints `file:line name length`, longest first; exits 1 if any.

  scripts/long_functions.py [--limit N] [paths...]   (default: src/)
"""
import argparse
import pathlib
import re
import sys

CONTROL = {"if", "for", "while", "switch", "catch", "return", "sizeof", "alignof", "decltype",
           "noexcept", "requires", "static_assert", "co_await", "co_return", "co_yield"}


def blank(text):
    """Comments, strings and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def function_name(head):
    """The function's name if `head` (text before a `{`) ends a function header."""
    head = re.sub(r"\s+", " ", head).strip()
    if not head or head.startswith("#"):
        return None
    # Drop a constructor's initialiser list: `) : a_(x), b_{y}`.
    m = re.match(r"(.*\))\s*:\s*[A-Za-z_].*$", head)
    if m and not re.search(r"\?\s*$", m.group(1)):
        head = m.group(1)
    head = re.sub(r"(\s*(const|noexcept(\([^)]*\))?|override|final|mutable|&&|&|->\s*[\w:<>,\s*&]+))*$", "", head)
    if not head.endswith(")"):
        return None
    depth, k = 0, len(head) - 1
    while k >= 0:
        depth += {")": 1, "(": -1}.get(head[k], 0)
        if depth == 0:
            break
        k -= 1
    before = head[:k].rstrip()
    m = re.search(r"(operator\s*\S+|~?[A-Za-z_][\w:~]*)\s*(<[^()]*>)?$", before)
    if not m:
        return None  # a lambda's `](...)` or a cast
    name = m.group(1)
    if name.split("::")[-1] in CONTROL or before.endswith("]"):
        return None
    return name


def long_functions(path, limit, tables_exempt=True):
    text = blank(path.read_text(errors="replace"))
    found = []
    stack = []  # (is_function, name, start_line, start_pos)
    last_stop = 0
    line_of = lambda pos: text.count("\n", 0, pos) + 1
    for pos, c in enumerate(text):
        if c == "{":
            inside = any(entry[0] for entry in stack)
            name = None if inside else function_name(text[last_stop:pos])
            stack.append((name is not None, name, line_of(pos), pos))
            last_stop = pos + 1
        elif c == "}":
            if stack:
                is_fn, name, start, opened = stack.pop()
                # A body that is one `return {...};` is a data table.
                if is_fn and not (tables_exempt and re.match(r"\s*return\s*\{", text[opened + 1:pos])):
                    length = line_of(pos) - start + 1
                    if length > limit:
                        found.append((path, start, name, length))
            last_stop = pos + 1
        elif c == ";":
            last_stop = pos + 1
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("paths", nargs="*", type=pathlib.Path)
    args = parser.parse_args()
    root = pathlib.Path(__file__).resolve().parents[1]
    paths = args.paths or [root / "src"]
    files = []
    for p in paths:
        files += sorted(q for q in p.rglob("*") if q.suffix in {".cpp", ".hpp"}) if p.is_dir() else [p]
    found = [f for path in files for f in long_functions(path, args.limit)]
    for path, line, name, length in sorted(found, key=lambda f: -f[3]):
        try:
            shown = path.resolve().relative_to(root)
        except ValueError:
            shown = path
        print(f"{shown}:{line} {name} {length}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
