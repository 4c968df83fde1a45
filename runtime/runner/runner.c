/* runner.c - the command line behind `edgec --emit=exe` and edgec-run. */
#define _POSIX_C_SOURCE 200809L
#include "edgert_runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void usage(const edgert_model_t *m, const char *argv0) {
  int32_t i, d;
  printf("usage: %s [--input=FILE]... [--output-dir=DIR] [--benchmark=N]\n"
         "Runs model '%s'. Inputs are .npy or ONNX TensorProto (.pb) files,\n"
         "in graph input order (all zeros when none is given):\n",
         argv0, m->name);
  for (i = 0; i < m->num_inputs; ++i) {
    printf("  input %d '%s': %s [", i, m->inputs[i].name,
           edgert_dtype_name(m->inputs[i].dtype));
    for (d = 0; d < m->inputs[i].rank; ++d)
      printf("%s%lld", d ? ", " : "", (long long)m->inputs[i].shape[d]);
    printf("]\n");
  }
  printf("  --output-dir=DIR  write output_<i>.npy files into DIR\n"
         "  --benchmark=N     time N runs and print median_us=...\n");
}

static void shape_text(char *buf, size_t size, int32_t rank,
                       const int64_t *shape) {
  int32_t i;
  size_t n = 0;
  if (rank == 0) {
    snprintf(buf, size, "scalar");
    return;
  }
  buf[0] = '\0';
  for (i = 0; i < rank && n < size; ++i)
    n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? "x" : "",
                          (long long)shape[i]);
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_values(const edgert_tensor_desc_t *d, const void *data) {
  uint64_t n = d->size_bytes / (edgert_dtype_size(d->dtype) ? edgert_dtype_size(d->dtype) : 1);
  uint64_t k;
  for (k = 0; k < n && k < 8; ++k) {
    switch (d->dtype) {
    case EDGERT_F32: printf(" %g", ((const float *)data)[k]); break;
    case EDGERT_F64: printf(" %g", ((const double *)data)[k]); break;
    case EDGERT_I64: printf(" %lld", (long long)((const int64_t *)data)[k]); break;
    case EDGERT_I32: printf(" %d", ((const int32_t *)data)[k]); break;
    case EDGERT_I8: printf(" %d", ((const int8_t *)data)[k]); break;
    case EDGERT_U8: case EDGERT_BOOL: printf(" %u", ((const uint8_t *)data)[k]); break;
    default: printf(" ?"); break;
    }
  }
  printf("%s\n", n > 8 ? " ..." : "");
}

int edgert_runner_main(const edgert_model_t *m, int argc, char **argv) {
  const char *inputs_given[64];
  int num_given = 0, i, status = 1;
  const char *output_dir = NULL;
  long benchmark = 0;
  edgert_host_tensor_t tensors[64];
  void *in_ptrs[64], *out_ptrs[64];
  void *arena = NULL;
  edgert_status_t st;
  char error[512];

  memset(tensors, 0, sizeof tensors);
  memset(out_ptrs, 0, sizeof out_ptrs);
  if (!m || m->abi_version != EDGERT_ABI_VERSION) {
    fprintf(stderr, "error: %s\n", edgert_status_message(EDGERT_ERR_BAD_MODEL));
    return 1;
  }
  if (m->num_inputs > 64 || m->num_outputs > 64) {
    fprintf(stderr, "error: the runner supports at most 64 inputs and outputs\n");
    return 1;
  }
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strncmp(a, "--input=", 8) == 0 && a[8]) {
      if (num_given == 64) {
        fprintf(stderr, "error: too many --input options\n");
        return 1;
      }
      inputs_given[num_given++] = a + 8;
    } else if (strncmp(a, "--output-dir=", 13) == 0 && a[13]) {
      output_dir = a + 13;
    } else if (strncmp(a, "--benchmark=", 12) == 0) {
      char *end;
      errno = 0;
      benchmark = strtol(a + 12, &end, 10);
      if (end == a + 12 || *end || benchmark <= 0 || benchmark > 1000000 || errno) {
        fprintf(stderr, "error: --benchmark needs a run count from 1 to 1000000, got '%s'\n",
                a + 12);
        return 1;
      }
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(m, argv[0]);
      return 0;
    } else {
      fprintf(stderr, "error: unknown option '%s' (see --help)\n", a);
      return 1;
    }
  }
  if (num_given && num_given != m->num_inputs) {
    fprintf(stderr, "error: model '%s' takes %d input(s) but %d were given\n",
            m->name, m->num_inputs, num_given);
    return 1;
  }

  for (i = 0; i < m->num_inputs; ++i) {
    const edgert_tensor_desc_t *d = &m->inputs[i];
    if (!num_given) { /* zeros, for benchmarking without data */
      tensors[i].data = calloc(1, d->size_bytes ? d->size_bytes : 1);
      if (!tensors[i].data) {
        fprintf(stderr, "error: out of memory\n");
        goto done;
      }
    } else {
      char got[256], want[256];
      int32_t k;
      int same = 1;
      if (edgert_tensor_read(inputs_given[i], error, sizeof error, &tensors[i]) != EDGERT_OK) {
        fprintf(stderr, "error: %s\n", error);
        goto done;
      }
      if (tensors[i].dtype != d->dtype) {
        fprintf(stderr,
                "error: input %d ('%s') from '%s': element type %s does not match the model's %s\n",
                i, d->name, inputs_given[i], edgert_dtype_name(tensors[i].dtype),
                edgert_dtype_name(d->dtype));
        goto done;
      }
      same = tensors[i].rank == d->rank;
      for (k = 0; same && k < d->rank; ++k)
        same = tensors[i].shape[k] == d->shape[k];
      if (!same) {
        shape_text(got, sizeof got, tensors[i].rank, tensors[i].shape);
        shape_text(want, sizeof want, d->rank, d->shape);
        fprintf(stderr,
                "error: input %d ('%s') from '%s': shape %s does not match the model's %s\n",
                i, d->name, inputs_given[i], got, want);
        goto done;
      }
    }
    in_ptrs[i] = tensors[i].data;
  }
  for (i = 0; i < m->num_outputs; ++i) {
    out_ptrs[i] = calloc(1, m->outputs[i].size_bytes ? m->outputs[i].size_bytes : 1);
    if (!out_ptrs[i]) {
      fprintf(stderr, "error: out of memory\n");
      goto done;
    }
  }
  {
    size_t align = m->arena_alignment ? m->arena_alignment : 1;
    size_t size = (size_t)((m->arena_size + align - 1) / align * align);
    arena = aligned_alloc(align < sizeof(void *) ? sizeof(void *) : align,
                          size ? size : align);
    if (!arena) {
      fprintf(stderr, "error: cannot allocate the %llu-byte arena\n",
              (unsigned long long)m->arena_size);
      goto done;
    }
  }

  st = edgert_run(m, (const void *const *)in_ptrs, out_ptrs, arena);
  if (st != EDGERT_OK) {
    fprintf(stderr, "error: %s\n", edgert_status_message(st));
    goto done;
  }

  if (benchmark > 0) {
    double *t = (double *)malloc(sizeof(double) * (size_t)benchmark), sum = 0;
    long k, warmup = benchmark < 10 ? benchmark : 10;
    if (!t) {
      fprintf(stderr, "error: out of memory\n");
      goto done;
    }
    for (k = 0; k < warmup; ++k)
      m->entry(in_ptrs, out_ptrs, arena);
    for (k = 0; k < benchmark; ++k) {
      double start = now_us();
      m->entry(in_ptrs, out_ptrs, arena);
      t[k] = now_us() - start;
      sum += t[k];
    }
    qsort(t, (size_t)benchmark, sizeof(double), compare_doubles);
    printf("benchmark: model=%s runs=%ld median_us=%.3f min_us=%.3f mean_us=%.3f\n",
           m->name, benchmark,
           benchmark % 2 ? t[benchmark / 2] : (t[benchmark / 2 - 1] + t[benchmark / 2]) / 2,
           t[0], sum / (double)benchmark);
    free(t);
  }

  if (output_dir) {
    struct stat sb;
    if (stat(output_dir, &sb) != 0 && mkdir(output_dir, 0777) != 0) {
      fprintf(stderr, "error: cannot create '%s': %s\n", output_dir, strerror(errno));
      goto done;
    }
    for (i = 0; i < m->num_outputs; ++i) {
      char path[4096];
      snprintf(path, sizeof path, "%s/output_%d.npy", output_dir, i);
      if (edgert_npy_write(path, &m->outputs[i], out_ptrs[i], error, sizeof error) != EDGERT_OK) {
        fprintf(stderr, "error: %s\n", error);
        goto done;
      }
    }
  } else if (benchmark == 0) {
    for (i = 0; i < m->num_outputs; ++i) {
      char shape[256];
      shape_text(shape, sizeof shape, m->outputs[i].rank, m->outputs[i].shape);
      printf("output %d '%s' %s %s:", i, m->outputs[i].name,
             edgert_dtype_name(m->outputs[i].dtype), shape);
      print_values(&m->outputs[i], out_ptrs[i]);
    }
  }
  status = 0;
done:
  for (i = 0; i < 64; ++i) {
    edgert_tensor_free(&tensors[i]);
    free(out_ptrs[i]);
  }
  free(arena);
  return status;
}
