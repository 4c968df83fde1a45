#!/usr/bin/python3
"""Compares the arena of a --memory=min build with the layer-by-layer bound of
the default build (the most bytes live at once when the graph runs one op at
a time): arena_ratio.py MIN.h DEFAULT.h LIMIT. Prints both and their ratio;
exits 1 when the ratio is above LIMIT.
"""
import re
import sys


def define(header, name):
    text = open(header).read()
    m = re.search(r"#define \w+_%s (\d+)u" % name, text)
    if not m:
        sys.exit("%s: no %s" % (header, name))
    return int(m.group(1))


def main(min_header, default_header, limit):
    arena = define(min_header, "ARENA_SIZE")
    bound = define(default_header, "ARENA_LIVE_PEAK")
    ratio = arena / bound
    print("arena %d bytes, layer-by-layer bound %d bytes: %.2f of it (limit %.2f) %s"
          % (arena, bound, ratio, limit, "OK" if ratio <= limit else "ABOVE"))
    return 0 if ratio <= limit else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
