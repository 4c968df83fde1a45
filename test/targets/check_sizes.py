#!/usr/bin/python3
"""Checks a generated header's size figures against the object and image.

check_sizes.py HEADER OBJECT [IMAGE]

- <NAME>_WEIGHTS_SIZE equals the size of the weights section in OBJECT
  (llvm-size -A; all sections of that name) and, when given, in the linked
  IMAGE;
- <NAME>_STACK_SIZE equals the sum of the frames llvm-readobj --stack-sizes
  lists for OBJECT (and is > 0);
- with an arena section declared in the header, that section's size in
  OBJECT (and IMAGE) is at least <NAME>_ARENA_SIZE.
Prints one line per figure; exits 1 on any difference.
"""
import re
import subprocess
import sys


def defines(header):
    text = open(header).read()
    values = dict(re.findall(r"#define \w+?_(WEIGHTS_SIZE|STACK_SIZE|ARENA_SIZE) (\d+)u", text))
    section = re.search(r'#define \w+?_WEIGHTS_SECTION "([^"]+)"', text).group(1)
    arena = re.search(r"in section (\S+) \(zero-initialized", text)
    return ({k: int(v) for k, v in values.items()}, section,
            arena.group(1) if arena else None)


def section_sizes(path):
    out = subprocess.run(["llvm-size", "-A", path], check=True,
                         capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sizes[parts[0]] = sizes.get(parts[0], 0) + int(parts[1])
    return sizes


def stack_sum(path):
    out = subprocess.run(["llvm-readobj", "--stack-sizes", path], check=True,
                         capture_output=True, text=True).stdout
    return sum(int(v, 16) for v in re.findall(r"Size: 0x([0-9A-Fa-f]+)", out))


def main(header, obj, image=None):
    values, weights_section, arena_section = defines(header)
    ok = True

    def check(what, got, want, cmp=lambda a, b: a == b):
        nonlocal ok
        good = cmp(got, want)
        ok &= good
        print(f"{what}: header {want}, measured {got} {'OK' if good else 'MISMATCH'}")

    files = [("object", obj)] + ([("image", image)] if image else [])
    for kind, path in files:
        sizes = section_sizes(path)
        check(f"{kind} {weights_section}", sizes.get(weights_section, 0),
              values["WEIGHTS_SIZE"])
        if arena_section:
            check(f"{kind} {arena_section} >= arena", sizes.get(arena_section, 0),
                  values["ARENA_SIZE"], lambda a, b: a >= b)
    stack = stack_sum(obj)
    check("stack (sum of .stack_sizes)", stack, values["STACK_SIZE"],
          lambda a, b: a == b and a > 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
