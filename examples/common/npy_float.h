/* npy_float.h - reads a float32 .npy file into a caller's buffer: just
   enough for the examples (little-endian '<f4', C order). Returns 0, or -1
   after printing why to stderr. */
#ifndef EDGEC_EXAMPLES_NPY_FLOAT_H
#define EDGEC_EXAMPLES_NPY_FLOAT_H

#include <stdio.h>
#include <string.h>

static int npy_read_float(const char *path, float *data, size_t count) {
  FILE *f = fopen(path, "rb");
  unsigned char head[12];
  char header[1024];
  size_t header_len, got;
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    return -1;
  }
  if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0) {
    fprintf(stderr, "%s: not a .npy file\n", path);
    fclose(f);
    return -1;
  }
  header_len = (size_t)head[8] | (size_t)head[9] << 8;
  if (head[6] >= 2) { /* version 2 and 3: a 4-byte header length */
    if (fread(head + 10, 1, 2, f) != 2) {
      fclose(f);
      return -1;
    }
    header_len |= (size_t)head[10] << 16 | (size_t)head[11] << 24;
  }
  if (header_len >= sizeof header ||
      fread(header, 1, header_len, f) != header_len) {
    fprintf(stderr, "%s: bad header\n", path);
    fclose(f);
    return -1;
  }
  header[header_len] = '\0';
  if (!strstr(header, "'descr': '<f4'") ||
      strstr(header, "'fortran_order': True")) {
    fprintf(stderr, "%s: not a C-order float32 array\n", path);
    fclose(f);
    return -1;
  }
  got = fread(data, sizeof(float), count, f);
  if (got != count || fgetc(f) != EOF) {
    fprintf(stderr, "%s: expected %lu float32 values\n", path,
            (unsigned long)count);
    fclose(f);
    return -1;
  }
  fclose(f);
  return 0;
}

/* The index of the largest of n scores. */
static size_t argmax_float(const float *x, size_t n) {
  size_t best = 0, i;
  for (i = 1; i < n; ++i)
    if (x[i] > x[best])
      best = i;
  return best;
}

#endif
