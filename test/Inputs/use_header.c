/* A firmware-style user of a compiled model: static buffers, the generated
 * header's typed run function, no allocation. Reads the input .npy, writes
 * the output .npy (for compare.py), and checks the runtime's argument checks. */
#include "digits.h"

#include <stdio.h>
#include <string.h>

static float input[DIGITS_INPUT0_COUNT];
static float output[DIGITS_OUTPUT0_COUNT];
static _Alignas(64) unsigned char arena[DIGITS_ARENA_SIZE + 64];

int main(int argc, char **argv) {
  static unsigned char file[65536];
  FILE *f = fopen(argv[1], "rb");
  size_t n = f ? fread(file, 1, sizeof file, f) : 0;
  size_t header = 10 + (size_t)(file[8] | file[9] << 8);
  edgert_status_t s;
  if (f)
    fclose(f);
  if (n != header + sizeof input) {
    fprintf(stderr, "bad input file\n");
    return 1;
  }
  memcpy(input, file + header, sizeof input);
  s = digits_run(input, output, arena);
  printf("run: %s\n", edgert_status_message(s));
  printf("misaligned arena: %s\n",
         edgert_status_message(digits_run(input, output, arena + 4)));
  printf("null output: %s\n",
         edgert_status_message(digits_run(input, NULL, arena)));
  printf("sized, enough: %s\n",
         edgert_status_message(
             digits_run_sized(input, output, arena, DIGITS_ARENA_SIZE)));
  printf("sized, one byte short: %s\n",
         edgert_status_message(
             digits_run_sized(input, output, arena, DIGITS_ARENA_SIZE - 1)));
  f = fopen(argv[2], "wb");
  fwrite("\x93NUMPY\x01\x00\x76\x00", 1, 10, f);
  fprintf(f, "%-117s\n", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 10), }");
  fwrite(output, sizeof output, 1, f);
  fclose(f);
  return s == EDGERT_OK ? 0 : 1;
}
