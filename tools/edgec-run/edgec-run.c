/* edgec-run: runs a model built with `edgec --emit=shared`.
 *
 *   edgec-run MODEL.so [--input=FILE]... [--output-dir=DIR] [--benchmark=N]
 *
 * Loads the shared object, finds its edgert_entry_model descriptor and hands
 * the remaining arguments to the runner library. */
#define _POSIX_C_SOURCE 200809L
#include "edgert_runner.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char kUsage[] =
    "usage: edgec-run MODEL.so [--input=FILE]... [--output-dir=DIR] "
    "[--benchmark=N]\n"
    "Runs a model compiled with `edgec --emit=shared`; `edgec-run MODEL.so "
    "--help`\nlists the model's inputs and outputs.\n";

static int fail(const char *file, const char *what) {
  fprintf(stderr, "edgec-run: error: %s: %s\n", file, what);
  return 1;
}

int main(int argc, char **argv) {
  const char *file;
  char *path, *label;
  const char *why;
  struct stat sb;
  void *lib;
  const edgert_model_t *model;
  int rc;

  if (argc < 2) {
    fprintf(stderr, "edgec-run: error: no model file given (see --help)\n");
    return 1;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(kUsage, stdout);
    return 0;
  }
  if (argv[1][0] == '-') {
    fprintf(stderr,
            "edgec-run: error: the first argument must be the model's shared "
            "object, got '%s' (see --help)\n",
            argv[1]);
    return 1;
  }
  file = argv[1];
  if (stat(file, &sb) != 0)
    return fail(file, strerror(errno));
  if (S_ISDIR(sb.st_mode))
    return fail(file, "is a directory, not a shared object");

  /* dlopen() searches the library path for names without a '/'. */
  path = (char *)malloc(strlen(file) + 3);
  label = (char *)malloc(strlen(file) + 16);
  if (path == NULL || label == NULL)
    return fail(file, "out of memory");
  sprintf(path, "%s%s", strchr(file, '/') ? "" : "./", file);
  lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    char what[1024];
    why = dlerror();
    if (why == NULL)
      why = "unknown dlopen error";
    /* dlerror() usually starts with "PATH: "; drop it. */
    if (strncmp(why, path, strlen(path)) == 0 &&
        strncmp(why + strlen(path), ": ", 2) == 0)
      why += strlen(path) + 2;
    snprintf(what, sizeof what, "not a loadable shared object (%s)", why);
    return fail(file, what);
  }
  dlerror();
  model = (const edgert_model_t *)dlsym(lib, "edgert_entry_model");
  if (model == NULL)
    return fail(file, "no 'edgert_entry_model' symbol (not built with "
                      "`edgec --emit=shared`)");

  /* The runner's argv[0] names the program in its --help text. */
  sprintf(label, "edgec-run %s", file);
  argv[1] = label;
  rc = edgert_runner_main(model, argc - 1, argv + 1);
  free(label);
  free(path);
  dlclose(lib);
  return rc;
}
