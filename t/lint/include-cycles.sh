#!/bin/sh
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
# make check (target includes): no cycle among the glue's units.  A unit
# is a source and its header (src/httpd/mod_ac_x.c and mod_ac_x.h); it
# depends on another when either file includes that one's header.  A
# cycle (authz includes request, request includes authz) means neither
# can be read, tested or replaced alone (docs/architecture.md).
#
#   t/lint/include-cycles.sh DIR [FILE...]
exec python3 - "$@" <<'PY'
import os, re, sys

dirs_files = sys.argv[1:]
files = []
for a in dirs_files:
    if os.path.isdir(a):
        files += [os.path.join(a, f) for f in sorted(os.listdir(a))
                  if f.endswith(('.c', '.h'))]
    else:
        files.append(a)

def unit(path):
    return os.path.splitext(os.path.basename(path))[0]

units = {unit(f) for f in files}
deps = {u: set() for u in units}
inc = re.compile(r'^\s*#\s*include\s*"([^"]+)\.h"', re.M)
for f in files:
    with open(f) as fh:
        for name in inc.findall(fh.read()):
            name = os.path.basename(name)
            if name in units and name != unit(f):
                deps[unit(f)].add(name)

# depth-first search for a back edge
state, stack, cycles = {}, [], []
def visit(u):
    state[u] = 1
    stack.append(u)
    for v in sorted(deps[u]):
        if state.get(v) == 1:
            cycles.append(stack[stack.index(v):] + [v])
        elif v not in state:
            visit(v)
    stack.pop()
    state[u] = 2
for u in sorted(units):
    if u not in state:
        visit(u)
if cycles:
    for c in cycles:
        print("include cycle: " + " -> ".join(c))
    sys.exit(1)
print("includes: no cycle among %d glue units" % len(units))
PY
