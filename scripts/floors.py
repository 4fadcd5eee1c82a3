#!/usr/bin/env python3
"""Checks the backend's floors: no import cycle between its files, and no module importing
one above it in the order docs/ARCHITECTURE.md gives (its "Floors" table, bottom first).

A file's imports are the `crate::…` and `super::…` paths in its code outside comments and
its `#[cfg(test)]` module; each resolves to the longest module path that is a file.
Prints what breaks the rules and exits 1, or prints a summary and exits 0.
"""

import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCE = os.path.join(ROOT, "backend", "src")
DOC = os.path.join(ROOT, "docs", "ARCHITECTURE.md")
MARKER = "<!-- floors: checked by scripts/floors.py -->"


def modules():
    """Each module path (a tuple) and its file."""
    found = {}
    for folder, _, names in os.walk(SOURCE):
        for name in names:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            parts = os.path.relpath(path, SOURCE)[:-3].split(os.sep)
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts == ["lib"]:
                parts = []
            found[tuple(parts)] = path
    return found


def code_of(path):
    source = open(path, encoding="utf-8").read()
    tests = source.find("#[cfg(test)]")
    if tests >= 0:
        source = source[:tests]
    return re.sub(r"//[^\n]*", "", source)


def use_paths(tree):
    """The paths a `use` tree names: `a::{b, c::d}` gives a::b and a::c::d."""
    tree = re.sub(r"\s+", "", tree)
    group = re.match(r"^(.*?)(?:::)?\{(.*)\}$", tree)
    if not group:
        return [re.sub(r"as\w+$", "", tree.replace(" ", "")).split("::")]
    base, inner = group.group(1), group.group(2)
    items, depth, current = [], 0, ""
    for char in inner:
        depth += char == "{"
        depth -= char == "}"
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    prefix = [part for part in base.split("::") if part]
    return [prefix + path for item in items if item for path in use_paths(item)]


def imports(module, path, known):
    code = code_of(path)
    paths = []
    for found in re.finditer(r"\buse\s+((?:crate|super)::[^;]+);", code):
        paths += use_paths(found.group(1))
    for found in re.finditer(r"(?<![\w:])crate::((?:\w+::)*\w+)", code):
        paths.append(["crate"] + found.group(1).split("::"))
    targets = set()
    for parts in paths:
        if parts[0] == "crate":
            absolute = parts[1:]
        elif parts[0] == "super":
            ups = 0
            while ups < len(parts) and parts[ups] == "super":
                ups += 1
            # A file `a/b.rs` is module a::b; `super` is a.
            absolute = list(module[: len(module) - ups]) + parts[ups:]
        else:
            continue
        for length in range(len(absolute), 0, -1):
            target = tuple(absolute[:length])
            if target in known:
                if target != module:
                    targets.add(target)
                break
    return targets


def cycles(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in edges:
        if node not in index:
            visit(node)
    return found


def floors():
    """The top-level modules, bottom first, and each one's floor."""
    text = open(DOC, encoding="utf-8").read()
    if MARKER not in text:
        sys.exit(f"{DOC} has no floors table (after {MARKER})")
    order, floor_of = [], {}
    for line in text.split(MARKER, 1)[1].splitlines()[1:]:
        if not line.startswith("|"):
            if order:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = re.findall(r"`(\w+)`", cells[-1]) if len(cells) > 1 else []
        for name in names:
            order.append(name)
            floor_of[name] = cells[0]
    return order, floor_of


def main():
    known = modules()
    edges = {module: imports(module, path, known) for module, path in known.items()}
    order, floor_of = floors()
    problems = []
    tops = sorted({module[0] for module in known if module})
    for name in tops:
        if name not in order:
            problems.append(f"`{name}` is on no floor in docs/ARCHITECTURE.md")
    for name in order:
        if name not in tops:
            problems.append(f"docs/ARCHITECTURE.md names `{name}`, which is not a module")
    position = {name: i for i, name in enumerate(order)}
    for module, targets in sorted(edges.items()):
        if not module or module[0] not in position:
            continue
        for target in sorted(targets):
            if not target or target[0] == module[0] or target[0] not in position:
                continue
            if position[target[0]] > position[module[0]]:
                problems.append(
                    f"{'/'.join(module)} imports {'/'.join(target)}, above it "
                    f"({floor_of[module[0]]} → {floor_of[target[0]]})"
                )
    for component in cycles(edges):
        files = ", ".join(sorted("/".join(m) for m in component))
        problems.append(f"import cycle: {files}")
    if problems:
        print("backend floors:", *problems, sep="\n  ")
        sys.exit(1)
    count = sum(len(targets) for targets in edges.values())
    print(f"backend floors: {len(known)} files, {count} imports, no cycle, none upward")


if __name__ == "__main__":
    main()
