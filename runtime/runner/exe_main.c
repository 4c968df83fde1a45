/* exe_main.c - main() of the executables built by `edgec --emit=exe`: the
 * model object linked beside it defines edgert_entry_model. */
#include "edgert_runner.h"

extern const edgert_model_t edgert_entry_model;

int main(int argc, char **argv) {
  return edgert_runner_main(&edgert_entry_model, argc, argv);
}
