/* edgec-run: runs a model compiled with `edgec --emit=shared`. */
#include "edgert_runner.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  char path[4096];
  void *lib;
  const edgert_model_t *model;
  if (argc < 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: edgec-run MODEL.so [--input=FILE]... "
                    "[--output-dir=DIR] [--benchmark=N]\n");
    return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 1;
  }
  snprintf(path, sizeof path, "%s%s", strchr(argv[1], '/') ? "" : "./", argv[1]);
  lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "edgec-run: error: %s: %s\n", argv[1], dlerror());
    return 1;
  }
  model = (const edgert_model_t *)dlsym(lib, "edgert_entry_model");
  if (!model) {
    fprintf(stderr, "edgec-run: error: %s: not a model built with "
                    "`edgec --emit=shared` (no edgert_entry_model)\n", argv[1]);
    return 1;
  }
  return edgert_runner_main(model, argc - 1, argv + 1);
}
