#!/usr/bin/env python3
"""Issue 17, point 7: the engine, the report library and the unit tests do not
link the container executor (src/runner's mplp_executor); only the CLI, the
runner-scope gates and the runner tests do.

Usage: check_no_executor.py EXECUTOR_LIB --with BINARY... --without TARGET...

The executor's own functions are the strong text symbols (nm type T) that
EXECUTOR_LIB defines. Each --with BINARY must define some of them (so the
check can fail: the CLI holds the executor), each --without TARGET none: a
binary defines none of them, a static library neither defines nor refers to
any (an undefined reference would pull the executor in at link time).
"""
import subprocess
import sys


def symbols(path, kinds):
    out = subprocess.run(["nm", "--extern-only", path], check=True, capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-2] in kinds:
            found.add(parts[-1])
    return found


def demangled(names):
    out = subprocess.run(["c++filt"], input="\n".join(sorted(names)), check=True, capture_output=True, text=True)
    return out.stdout.splitlines()


def main(argv):
    if len(argv) < 3 or argv[1] not in ("--with", "--without"):
        print(__doc__, file=sys.stderr)
        return 2
    executor = symbols(argv[0], {"T"})
    with_, without, into = [], [], None
    for a in argv[1:]:
        if a in ("--with", "--without"):
            into = with_ if a == "--with" else without
        else:
            into.append(a)
    names = demangled(executor)
    if not any(n.startswith("mplp::runner::run_process(") for n in names):
        print(f"{argv[0]}: no mplp::runner::run_process: not the executor library", file=sys.stderr)
        return 1
    failed = False
    for path in with_:
        if not symbols(path, {"T"}) & executor:
            print(f"{path}: holds none of the executor's {len(executor)} functions (expected them)")
            failed = True
    for path in without:
        kinds = {"T", "U"} if path.endswith(".a") else {"T"}
        held = symbols(path, kinds) & executor
        if held:
            print(f"{path}: links the executor: " + ", ".join(demangled(held)[:10]))
            failed = True
        else:
            print(f"{path}: none of the executor's {len(executor)} functions")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
