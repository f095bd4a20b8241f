#!/usr/bin/env python3
"""Fails when the project's own includes form a cycle between modules, or between folders.

A module is a source file without its extension (daemon/core/loop.c and daemon/core/loop.h are one module); module A
depends on module B when a file of A has `#include "b.h"` and b.h is found beside A's file or in one of
the folders given. Any cycle (A -> B -> ... -> A) means the layers are not layers: printed, exit 1. The
same holds one level up: a folder depends on another when one of its modules does (daemon/core must not
include from daemon/http while daemon/http includes from daemon/core).

Usage: check_includes.py DIR...   (each DIR is searched recursively; headers resolve within all of them)
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(dirs):
    for top in dirs:
        for root, _, files in os.walk(top):
            for name in files:
                if name.endswith((".c", ".h")):
                    yield os.path.normpath(os.path.join(root, name))


def module(path):
    return os.path.splitext(path)[0]


def graph(dirs):
    files = sorted(set(sources(dirs)))
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    edges = {}
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            beside = os.path.normpath(os.path.join(os.path.dirname(f), inc))
            targets = [beside] if os.path.exists(beside) else by_name.get(os.path.basename(inc), [])
            for t in targets[:1]:
                a, b = module(f), module(t)
                if a != b:
                    edges.setdefault(a, set()).add(b)
    return edges


def find_cycle(edges):
    """One cycle as a list of modules, or None (iterative DFS, colours white/grey/black)."""
    state, parent = {}, {}
    for start in sorted(edges):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(edges.get(start, ()))))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:  # back edge: the cycle is nxt .. node
                cycle = [node]
                while cycle[-1] != nxt:
                    cycle.append(parent[cycle[-1]])
                return list(reversed(cycle)) + [nxt]
            if not state.get(nxt):
                state[nxt] = 1
                parent[nxt] = node
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    edges = graph(argv[1:])
    cycle = find_cycle(edges)
    if cycle:
        print("include cycle: " + " -> ".join(cycle))
        return 1
    folders = {}
    for a, targets in edges.items():
        for b in targets:
            fa, fb = os.path.dirname(a), os.path.dirname(b)
            if fa != fb:
                folders.setdefault(fa, set()).add(fb)
    cycle = find_cycle(folders)
    if cycle:
        print("include cycle between folders: " + " -> ".join(cycle))
        return 1
    modules = set(edges) | {b for targets in edges.values() for b in targets}
    print(f"no include cycle among {len(modules)} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
