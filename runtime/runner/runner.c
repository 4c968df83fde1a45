/* runner.c - the command line behind `edgec --emit=exe` and edgec-run, plus
 * the helpers shared by the runner's file readers. */
#include "runner_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARMUP_RUNS 3
#define MAX_BENCHMARK_RUNS 10000000L
#define PROFILE_RUNS 100
#define PROFILE_MAX_KERNELS 65536
/* Most threads --threads accepts (edgert_threads' EDGERT_THREADS_MAX). */
#define EDGERT_THREADS_LIMIT 64

/* ---- shared helpers ----------------------------------------------------- */

edgert_status_t edgert_internal_fail(edgert_error_t *out_error,
                                     edgert_status_t status, const char *fmt,
                                     ...) {
  va_list ap;
  if (out_error != NULL) {
    va_start(ap, fmt);
    vsnprintf(out_error->message, sizeof out_error->message, fmt, ap);
    va_end(ap);
  }
  return status;
}

void *edgert_internal_alloc(uint64_t size) {
  const uint64_t align = EDGERT_ARENA_ALIGNMENT;
  uint64_t rounded;
  void *p;
  if (size > (uint64_t)SIZE_MAX - align)
    return NULL;
  rounded = size == 0 ? align : (size + align - 1) / align * align;
  p = edgert_platform_aligned_alloc((size_t)align, (size_t)rounded);
  if (p != NULL)
    memset(p, 0, (size_t)rounded);
  return p;
}

int edgert_internal_tensor_size(int32_t dtype, int32_t rank,
                                const int64_t *shape, uint64_t *out_count,
                                uint64_t *out_bytes) {
  uint64_t count = 1, elem = edgert_dtype_size(dtype);
  int32_t i;
  if (elem == 0 || rank < 0 || (rank > 0 && shape == NULL))
    return 0;
  for (i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return 0;
    if (shape[i] != 0 && count > UINT64_MAX / (uint64_t)shape[i])
      return 0;
    count *= (uint64_t)shape[i];
  }
  if (count > UINT64_MAX / elem)
    return 0;
  *out_count = count;
  *out_bytes = count * elem;
  return 1;
}

void edgert_internal_shape_string(int32_t rank, const int64_t *shape,
                                  char *buf, size_t size) {
  size_t n = 0;
  int32_t i;
  if (size == 0)
    return;
  buf[0] = '\0';
  if (rank <= 0 || shape == NULL) {
    snprintf(buf, size, "scalar");
    return;
  }
  for (i = 0; i < rank && n < size; ++i) {
    int w = snprintf(buf + n, size - n, "%s%lld", i ? "x" : "",
                     (long long)shape[i]);
    if (w < 0)
      break;
    n += (size_t)w;
  }
}

void edgert_host_tensor_free(edgert_host_tensor_t *tensor) {
  if (tensor != NULL) {
    free(tensor->data);
    memset(tensor, 0, sizeof *tensor);
  }
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

edgert_status_t edgert_tensor_read_file(const char *path,
                                        edgert_host_tensor_t *out_tensor,
                                        edgert_error_t *out_error) {
  FILE *f;
  unsigned char *bytes = NULL;
  size_t size = 0, cap = 0;
  edgert_status_t st;
  edgert_error_t why;

  if (path == NULL || out_tensor == NULL)
    return edgert_internal_fail(out_error, EDGERT_ERR_NULL_ARGUMENT,
                                "NULL argument");
  memset(out_tensor, 0, sizeof *out_tensor);
  errno = 0;
  f = fopen(path, "rb");
  if (f == NULL)
    return edgert_internal_fail(out_error, EDGERT_ERR_IO,
                                "cannot open '%s': %s", path,
                                strerror(errno ? errno : EIO));
  for (;;) {
    size_t got;
    if (size == cap) {
      size_t new_cap = cap ? cap * 2 : 65536;
      unsigned char *grown;
      if (new_cap < cap ||
          (grown = (unsigned char *)realloc(bytes, new_cap)) == NULL) {
        free(bytes);
        fclose(f);
        return edgert_internal_fail(out_error, EDGERT_ERR_OUT_OF_MEMORY,
                                    "cannot read '%s': out of memory", path);
      }
      bytes = grown;
      cap = new_cap;
    }
    errno = 0;
    got = fread(bytes + size, 1, cap - size, f);
    size += got;
    if (got == 0 || size < cap) {
      if (ferror(f)) {
        int saved = errno;
        free(bytes);
        fclose(f);
        return edgert_internal_fail(out_error, EDGERT_ERR_IO,
                                    "cannot read '%s': %s", path,
                                    strerror(saved ? saved : EIO));
      }
      if (feof(f))
        break;
    }
  }
  fclose(f);

  if ((size >= 6 && memcmp(bytes, "\x93NUMPY", 6) == 0) ||
      ends_with(path, ".npy")) {
    st = edgert_npy_parse(bytes, size, out_tensor, &why);
    if (st != EDGERT_OK)
      edgert_internal_fail(out_error, st, "'%s': %s .npy file: %s", path,
                           st == EDGERT_ERR_UNSUPPORTED ? "unsupported"
                                                        : "not a valid",
                           why.message);
  } else {
    st = edgert_tensor_pb_parse(bytes, size, out_tensor, &why);
    if (st != EDGERT_OK)
      edgert_internal_fail(out_error, st, "'%s': %s TensorProto (.pb) file: %s",
                           path,
                           st == EDGERT_ERR_UNSUPPORTED ? "unsupported"
                                                        : "not a valid",
                           why.message);
  }
  free(bytes);
  return st;
}

/* ---- the command line --------------------------------------------------- */

static void print_usage(const edgert_model_t *m, const char *argv0) {
  int32_t i;
  printf("usage: %s [--input=FILE]... [--output-dir=DIR] [--benchmark=N] "
         "[--threads=N] [--profile=FILE.json]\n"
         "Runs the model '%s' compiled by edgec.\n"
         "  --input=FILE      a .npy or ONNX TensorProto (.pb) file per graph "
         "input,\n"
         "                    in graph input order (zeros when none is "
         "given)\n"
         "  --output-dir=DIR  write DIR/output_<i>.npy for each output\n"
         "  --benchmark=N     time N runs after %d warm-up runs\n"
         "  --threads=N       run the kernels on N threads (default: the %u "
         "the\n"
         "                    model was compiled for with edgec --threads)\n"
         "  --profile=FILE    time each kernel over the --benchmark runs (or "
         "%d)\n"
         "                    and write them as JSON for edgec "
         "--profile-input=\n"
         "                    (needs a model built with edgec "
         "--instrument-kernels)\n"
         "  --guard-pages     run with every buffer between inaccessible "
         "pages,\n"
         "                    ending at the upper one, then starting at the "
         "lower\n"
         "                    one (outputs compared); a touch outside stops "
         "with\n"
         "                    exit code 3\n"
         "  --help            show this help\n",
         argv0, m->name ? m->name : "?", WARMUP_RUNS,
         m->threads > 1 ? (unsigned)m->threads : 1u, PROFILE_RUNS);
  for (i = 0; i < m->num_inputs; ++i) {
    char shape[256];
    edgert_internal_shape_string(m->inputs[i].rank, m->inputs[i].shape, shape,
                                 sizeof shape);
    printf("input %d '%s': %s %s\n", (int)i,
           m->inputs[i].name ? m->inputs[i].name : "", 
           edgert_dtype_name(m->inputs[i].dtype), shape);
  }
  for (i = 0; i < m->num_outputs; ++i) {
    char shape[256];
    edgert_internal_shape_string(m->outputs[i].rank, m->outputs[i].shape,
                                 shape, sizeof shape);
    printf("output %d '%s': %s %s\n", (int)i,
           m->outputs[i].name ? m->outputs[i].name : "",
           edgert_dtype_name(m->outputs[i].dtype), shape);
  }
}

/* Checks a descriptor that may come from an arbitrary shared object before
 * its tensor tables are trusted. Writes a reason into *out_error. */
static int check_tensor_table(const char *what, int32_t n,
                              const edgert_tensor_desc_t *descs,
                              edgert_error_t *out_error) {
  int32_t i;
  if (n > 0 && descs == NULL) {
    edgert_internal_fail(out_error, EDGERT_ERR_BAD_MODEL, "no %s table", what);
    return 0;
  }
  for (i = 0; i < n; ++i) {
    uint64_t count, bytes;
    if (!edgert_internal_tensor_size(descs[i].dtype, descs[i].rank,
                                     descs[i].shape, &count, &bytes) ||
        bytes != descs[i].size_bytes || descs[i].rank > EDGERT_RUNNER_MAX_RANK ||
        (uint64_t)(size_t)bytes != bytes) {
      edgert_internal_fail(out_error, EDGERT_ERR_BAD_MODEL,
                           "%s %d has an invalid type, shape or size", what,
                           (int)i);
      return 0;
    }
  }
  return 1;
}

static int check_model(const edgert_model_t *m, edgert_error_t *out_error) {
  if (m == NULL) {
    edgert_internal_fail(out_error, EDGERT_ERR_NULL_ARGUMENT, "%s",
                         edgert_status_message(EDGERT_ERR_NULL_ARGUMENT));
    return 0;
  }
  if (m->abi_version != EDGERT_ABI_VERSION) {
    edgert_internal_fail(out_error, EDGERT_ERR_BAD_MODEL,
                         "the model was built for runtime ABI version %u, "
                         "this runner supports %u",
                         (unsigned)m->abi_version, (unsigned)EDGERT_ABI_VERSION);
    return 0;
  }
  if (m->num_inputs < 0 || m->num_outputs < 0 || m->entry == NULL ||
      (m->arena_alignment & (m->arena_alignment - 1)) != 0) {
    edgert_internal_fail(out_error, EDGERT_ERR_BAD_MODEL,
                         "the model descriptor is invalid");
    return 0;
  }
  return check_tensor_table("input", m->num_inputs, m->inputs, out_error) &&
         check_tensor_table("output", m->num_outputs, m->outputs, out_error);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* IEEE half / bfloat16 bit patterns to float, without libm. */
static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f,
           mant = h & 0x3ff, bits;
  float f;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | mant << 13;
  } else if (exp != 0) {
    bits = sign | (exp + 112) << 23 | mant << 13;
  } else if (mant == 0) {
    bits = sign;
  } else { /* subnormal: normalize */
    exp = 113;
    while ((mant & 0x400) == 0) {
      mant <<= 1;
      --exp;
    }
    bits = sign | exp << 23 | (mant & 0x3ff) << 13;
  }
  memcpy(&f, &bits, 4);
  return f;
}

static float bf16_to_float(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

static void print_value(int32_t dtype, const unsigned char *p) {
  union {
    float f32;
    double f64;
    int8_t i8;
    uint8_t u8;
    int16_t i16;
    uint16_t u16;
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
  } v;
  memcpy(&v, p, edgert_dtype_size(dtype));
  switch (dtype) {
  case EDGERT_F32: printf("%g", (double)v.f32); break;
  case EDGERT_F64: printf("%g", v.f64); break;
  case EDGERT_F16: printf("%g", (double)half_to_float(v.u16)); break;
  case EDGERT_BF16: printf("%g", (double)bf16_to_float(v.u16)); break;
  case EDGERT_I8: printf("%d", (int)v.i8); break;
  case EDGERT_U8: printf("%u", (unsigned)v.u8); break;
  case EDGERT_BOOL: printf("%s", v.u8 ? "true" : "false"); break;
  case EDGERT_I16: printf("%d", (int)v.i16); break;
  case EDGERT_U16: printf("%u", (unsigned)v.u16); break;
  case EDGERT_I32: printf("%ld", (long)v.i32); break;
  case EDGERT_U32: printf("%lu", (unsigned long)v.u32); break;
  case EDGERT_I64: printf("%lld", (long long)v.i64); break;
  case EDGERT_U64: printf("%llu", (unsigned long long)v.u64); break;
  default: printf("?"); break;
  }
}

static void print_output(int32_t index, const edgert_tensor_desc_t *d,
                         const void *data) {
  char shape[256];
  size_t elem = edgert_dtype_size(d->dtype);
  uint64_t count = d->size_bytes / elem, k;
  edgert_internal_shape_string(d->rank, d->shape, shape, sizeof shape);
  printf("output %d '%s': %s %s [", (int)index, d->name ? d->name : "",
         edgert_dtype_name(d->dtype), shape);
  for (k = 0; k < count && k < 8; ++k) {
    if (k)
      printf(", ");
    print_value(d->dtype, (const unsigned char *)data + k * elem);
  }
  printf("%s]\n", count > 8 ? ", ..." : "");
}

/* Parses --benchmark's value: a decimal integer in [1, MAX_BENCHMARK_RUNS]. */
static int parse_runs(const char *text, long *out_runs) {
  long v = 0;
  if (*text == '\0')
    return 0;
  for (; *text; ++text) {
    if (*text < '0' || *text > '9')
      return 0;
    v = v * 10 + (*text - '0');
    if (v > MAX_BENCHMARK_RUNS)
      return 0;
  }
  if (v < 1)
    return 0;
  *out_runs = v;
  return 1;
}

typedef struct {
  const char *inputs[256];
  int num_inputs;
  const char *output_dir;
  long benchmark;
  int32_t threads; /* 0: the model's */
  const char *profile;
  int guard_pages;
} options_t;

/* Returns -1 to continue, or an exit code (0 after --help, 1 on error). */
static int parse_options(const edgert_model_t *m, int argc, char **argv,
                         options_t *o) {
  int i;
  for (i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (a == NULL)
      continue;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      print_usage(m, argc > 0 && argv[0] ? argv[0] : "runner");
      return 0;
    } else if (strcmp(a, "--input") == 0 || strcmp(a, "--input=") == 0) {
      fprintf(stderr, "error: option '--input' needs a value: --input=FILE\n");
      return 1;
    } else if (strncmp(a, "--input=", 8) == 0) {
      if (o->num_inputs == (int)(sizeof o->inputs / sizeof o->inputs[0])) {
        fprintf(stderr, "error: too many --input options (at most %d)\n",
                (int)(sizeof o->inputs / sizeof o->inputs[0]));
        return 1;
      }
      o->inputs[o->num_inputs++] = a + 8;
    } else if (strcmp(a, "--output-dir") == 0 ||
               strcmp(a, "--output-dir=") == 0) {
      fprintf(stderr,
              "error: option '--output-dir' needs a value: --output-dir=DIR\n");
      return 1;
    } else if (strncmp(a, "--output-dir=", 13) == 0) {
      o->output_dir = a + 13;
    } else if (strcmp(a, "--benchmark") == 0 ||
               strcmp(a, "--benchmark=") == 0) {
      fprintf(stderr,
              "error: option '--benchmark' needs a value: --benchmark=N\n");
      return 1;
    } else if (strncmp(a, "--benchmark=", 12) == 0) {
      if (!parse_runs(a + 12, &o->benchmark)) {
        fprintf(stderr,
                "error: invalid --benchmark value '%s': expected a run count "
                "from 1 to %ld\n",
                a + 12, MAX_BENCHMARK_RUNS);
        return 1;
      }
    } else if (strcmp(a, "--threads") == 0 || strcmp(a, "--threads=") == 0) {
      fprintf(stderr, "error: option '--threads' needs a value: --threads=N\n");
      return 1;
    } else if (strncmp(a, "--threads=", 10) == 0) {
      long threads;
      if (!parse_runs(a + 10, &threads) || threads > EDGERT_THREADS_LIMIT) {
        fprintf(stderr,
                "error: invalid --threads value '%s': expected a thread count "
                "from 1 to %d\n",
                a + 10, EDGERT_THREADS_LIMIT);
        return 1;
      }
      o->threads = (int32_t)threads;
    } else if (strcmp(a, "--guard-pages") == 0) {
      o->guard_pages = 1;
    } else if (strcmp(a, "--profile") == 0 || strcmp(a, "--profile=") == 0) {
      fprintf(stderr,
              "error: option '--profile' needs a value: --profile=FILE.json\n");
      return 1;
    } else if (strncmp(a, "--profile=", 10) == 0) {
      o->profile = a + 10;
    } else if (a[0] == '-') {
      fprintf(stderr, "error: unknown option '%s' (see --help)\n", a);
      return 1;
    } else {
      fprintf(stderr, "error: unexpected argument '%s' (see --help)\n", a);
      return 1;
    }
  }
  return -1;
}

/* Reads input i from `path` and checks it against the model. */
static int load_input(const edgert_model_t *m, int32_t i, const char *path,
                      edgert_host_tensor_t *out_tensor) {
  const edgert_tensor_desc_t *d = &m->inputs[i];
  const char *name = d->name ? d->name : "";
  edgert_error_t err;
  int32_t k;
  int same;
  if (edgert_tensor_read_file(path, out_tensor, &err) != EDGERT_OK) {
    fprintf(stderr, "error: %s\n", err.message);
    return 0;
  }
  if (out_tensor->dtype != d->dtype) {
    fprintf(stderr,
            "error: input %d ('%s') from '%s': element type %s does not match "
            "the model's %s\n",
            (int)i, name, path, edgert_dtype_name(out_tensor->dtype),
            edgert_dtype_name(d->dtype));
    return 0;
  }
  same = out_tensor->rank == d->rank;
  for (k = 0; same && k < d->rank; ++k)
    same = out_tensor->shape[k] == d->shape[k];
  if (!same) {
    char got[512], want[512];
    edgert_internal_shape_string(out_tensor->rank, out_tensor->shape, got,
                                 sizeof got);
    edgert_internal_shape_string(d->rank, d->shape, want, sizeof want);
    fprintf(stderr,
            "error: input %d ('%s') from '%s': shape %s does not match the "
            "model's %s\n",
            (int)i, name, path, got, want);
    return 0;
  }
  return 1;
}

static const edgert_runner_hooks_t *g_hooks;

/* edgert_run with the hooks around it. */
static edgert_status_t hooked_run(const edgert_model_t *m,
                                  const void *const *inputs,
                                  void *const *outputs, void *arena) {
  edgert_status_t st;
  if (g_hooks != NULL && g_hooks->before_run != NULL)
    g_hooks->before_run();
  st = edgert_run(m, inputs, outputs, arena);
  if (st != EDGERT_OK && g_hooks != NULL && g_hooks->after_error != NULL)
    g_hooks->after_error();
  return st;
}

static int run_benchmark(const edgert_model_t *m, long runs,
                         const void *const *inputs, void *const *outputs,
                         void *arena) {
  double *times = (double *)malloc(sizeof(double) * (size_t)runs);
  double sum = 0, median;
  long k;
  edgert_status_t st = EDGERT_OK;
  if (times == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 0;
  }
  for (k = 0; k < WARMUP_RUNS && st == EDGERT_OK; ++k)
    st = hooked_run(m, inputs, outputs, arena);
  for (k = 0; k < runs && st == EDGERT_OK; ++k) {
    double start = edgert_platform_now_us();
    st = hooked_run(m, inputs, outputs, arena);
    times[k] = edgert_platform_now_us() - start;
    sum += times[k];
  }
  if (st != EDGERT_OK) {
    free(times);
    fprintf(stderr, "error: %s\n", edgert_status_message(st));
    return 0;
  }
  qsort(times, (size_t)runs, sizeof(double), compare_doubles);
  median = runs % 2 ? times[runs / 2]
                    : (times[runs / 2 - 1] + times[runs / 2]) / 2;
  printf("benchmark: model=%s runs=%ld median_us=%.3f min_us=%.3f "
         "mean_us=%.3f\n",
         m->name ? m->name : "?", runs, median, times[0], sum / (double)runs);
  if (g_hooks != NULL && g_hooks->after_bench != NULL)
    g_hooks->after_bench();
  free(times);
  return 1;
}

/* --profile: the time from each kernel mark to the next, summed per kernel. */
typedef struct {
  double *total_us; /* PROFILE_MAX_KERNELS entries */
  int32_t kernels;  /* 1 + the highest kernel seen */
  int32_t current;  /* -1: between runs */
  double since;
  long marks;
} profile_t;

static void profile_hook(void *user, int32_t kernel) {
  profile_t *p = (profile_t *)user;
  double now = edgert_platform_now_us();
  if (p->current >= 0)
    p->total_us[p->current] += now - p->since;
  p->current = kernel >= 0 && kernel < PROFILE_MAX_KERNELS ? kernel : -1;
  if (p->current >= p->kernels)
    p->kernels = p->current + 1;
  p->since = now;
  ++p->marks;
}

static int run_profile(const edgert_model_t *m, long runs, const char *path,
                       const void *const *inputs, void *const *outputs,
                       void *arena) {
  profile_t p;
  long k;
  int32_t i;
  double sum = 0;
  FILE *f;
  edgert_status_t st = EDGERT_OK;
  memset(&p, 0, sizeof p);
  p.current = -1;
  p.total_us = (double *)calloc(PROFILE_MAX_KERNELS, sizeof(double));
  if (p.total_us == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 0;
  }
  edgert_set_kernel_hook(profile_hook, &p);
  for (k = 0; k < runs && st == EDGERT_OK; ++k)
    st = hooked_run(m, inputs, outputs, arena);
  edgert_set_kernel_hook(NULL, NULL);
  if (st != EDGERT_OK || p.marks == 0) {
    if (st != EDGERT_OK)
      fprintf(stderr, "error: %s\n", edgert_status_message(st));
    else
      fprintf(stderr, "error: --profile: model '%s' has no kernel marks "
                      "(compile it with edgec --instrument-kernels)\n",
              m->name ? m->name : "?");
    free(p.total_us);
    return 0;
  }
  f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "error: cannot write '%s'\n", path);
    free(p.total_us);
    return 0;
  }
  for (i = 0; i < p.kernels; ++i)
    sum += p.total_us[i];
  fprintf(f, "{\n  \"edgec_profile\": 1,\n  \"model\": \"%s\",\n"
             "  \"runs\": %ld,\n  \"total_us\": %.3f,\n  \"kernels\": [",
          m->name ? m->name : "", runs, sum / (double)runs);
  for (i = 0; i < p.kernels; ++i)
    fprintf(f, "%s\n    {\"kernel\": %d, \"us\": %.3f}", i ? "," : "",
            (int)i, p.total_us[i] / (double)runs);
  fprintf(f, "\n  ]\n}\n");
  free(p.total_us);
  if (fclose(f) != 0) {
    fprintf(stderr, "error: cannot write '%s'\n", path);
    return 0;
  }
  printf("profile: model=%s runs=%ld kernels=%d total_us=%.3f -> %s\n",
         m->name ? m->name : "?", runs, (int)p.kernels, sum / (double)runs,
         path);
  return 1;
}

static int write_outputs(const edgert_model_t *m, const char *dir,
                         void *const *outputs) {
  size_t dir_len = strlen(dir);
  char *path = (char *)malloc(dir_len + 32);
  int32_t i;
  edgert_error_t err;
  if (path == NULL) {
    fprintf(stderr, "error: out of memory\n");
    return 0;
  }
  if (!edgert_platform_prepare_output_dir(dir, &err)) {
    fprintf(stderr, "error: %s\n", err.message);
    free(path);
    return 0;
  }
  for (i = 0; i < m->num_outputs; ++i) {
    sprintf(path, "%s%soutput_%d.npy", dir,
            dir_len > 0 && dir[dir_len - 1] == '/' ? "" : "/", (int)i);
    if (edgert_npy_write(path, &m->outputs[i], outputs[i], &err) !=
        EDGERT_OK) {
      fprintf(stderr, "error: %s\n", err.message);
      free(path);
      return 0;
    }
  }
  free(path);
  return 1;
}

int edgert_runner_main(const edgert_model_t *m, int argc, char **argv) {
  return edgert_runner_main_hooks(m, argc, argv, NULL);
}

int edgert_runner_main_hooks(const edgert_model_t *m, int argc, char **argv,
                             const edgert_runner_hooks_t *hooks) {
  options_t o;
  edgert_host_tensor_t *tensors = NULL;
  void **in_ptrs = NULL, **out_ptrs = NULL, *arena = NULL;
  int32_t i;
  int rc, exit_code = 1, threads_started = 0;
  int32_t threads;
  edgert_status_t st;
  edgert_error_t err;

  g_hooks = hooks;
  if (!check_model(m, &err)) {
    fprintf(stderr, "error: %s\n", err.message);
    return 1;
  }
  memset(&o, 0, sizeof o);
  if ((rc = parse_options(m, argc, argv, &o)) >= 0) {
    fflush(stdout);
    return rc;
  }
  if (o.num_inputs > 0 && o.num_inputs != m->num_inputs) {
    fprintf(stderr, "error: model '%s' takes %d input(s) but %d were given\n",
            m->name ? m->name : "?", (int)m->num_inputs, o.num_inputs);
    return 1;
  }

  /* calloc(n + 1): never a zero-size request. */
  tensors = (edgert_host_tensor_t *)calloc((size_t)m->num_inputs + 1,
                                           sizeof *tensors);
  in_ptrs = (void **)calloc((size_t)m->num_inputs + 1, sizeof *in_ptrs);
  out_ptrs = (void **)calloc((size_t)m->num_outputs + 1, sizeof *out_ptrs);
  if (tensors == NULL || in_ptrs == NULL || out_ptrs == NULL) {
    fprintf(stderr, "error: out of memory\n");
    goto done;
  }
  for (i = 0; i < m->num_inputs; ++i) {
    if (o.num_inputs > 0) {
      if (!load_input(m, i, o.inputs[i], &tensors[i]))
        goto done;
    } else { /* zeros, e.g. for benchmarking without data */
      tensors[i].data = edgert_internal_alloc(m->inputs[i].size_bytes);
      if (tensors[i].data == NULL) {
        fprintf(stderr, "error: cannot allocate input %d (%llu bytes)\n",
                (int)i, (unsigned long long)m->inputs[i].size_bytes);
        goto done;
      }
    }
    in_ptrs[i] = tensors[i].data;
  }
  for (i = 0; i < m->num_outputs; ++i) {
    out_ptrs[i] = edgert_internal_alloc(m->outputs[i].size_bytes);
    if (out_ptrs[i] == NULL) {
      fprintf(stderr, "error: cannot allocate output %d (%llu bytes)\n",
              (int)i, (unsigned long long)m->outputs[i].size_bytes);
      goto done;
    }
  }
  if (m->arena_size > 0) {
    uint64_t align = m->arena_alignment > sizeof(void *)
                         ? m->arena_alignment
                         : (uint64_t)sizeof(void *);
    uint64_t rounded = (m->arena_size + align - 1) / align * align;
    if (m->arena_size > (uint64_t)SIZE_MAX - align ||
        (arena = edgert_platform_aligned_alloc((size_t)align,
                                               (size_t)rounded)) == NULL) {
      fprintf(stderr, "error: cannot allocate the %llu-byte arena\n",
              (unsigned long long)m->arena_size);
      goto done;
    }
  }

  /* The model's thread count is a default: where the platform has no
   * threads it runs serially; an explicit --threads it cannot honour is an
   * error. */
  threads = o.threads > 0 ? o.threads : (int32_t)m->threads;
  if (threads > 1 && !edgert_platform_start_threads(threads, &err)) {
    if (o.threads > 0) {
      fprintf(stderr, "error: %s\n", err.message);
      goto done;
    }
    threads = 1;
  }
  threads_started = threads > 1;
  if (o.guard_pages) {
    if (!edgert_platform_guarded_run(m, (const void *const *)in_ptrs,
                                     out_ptrs, &err)) {
      fprintf(stderr, "error: %s\n", err.message);
      goto done;
    }
  } else {
    st = hooked_run(m, (const void *const *)in_ptrs, out_ptrs, arena);
    if (st != EDGERT_OK) {
      fprintf(stderr, "error: %s\n", edgert_status_message(st));
      goto done;
    }
  }
  if (o.benchmark > 0 &&
      !run_benchmark(m, o.benchmark, (const void *const *)in_ptrs, out_ptrs,
                     arena))
    goto done;
  if (o.profile != NULL &&
      !run_profile(m, o.benchmark > 0 ? o.benchmark : PROFILE_RUNS, o.profile,
                   (const void *const *)in_ptrs, out_ptrs, arena))
    goto done;
  if (o.output_dir != NULL) {
    if (!write_outputs(m, o.output_dir, out_ptrs))
      goto done;
  } else if (o.benchmark == 0 && o.profile == NULL) {
    for (i = 0; i < m->num_outputs; ++i)
      print_output(i, &m->outputs[i], out_ptrs[i]);
  }
  exit_code = 0;

done:
  if (threads_started)
    edgert_platform_stop_threads();
  if (tensors != NULL)
    for (i = 0; i < m->num_inputs; ++i)
      edgert_host_tensor_free(&tensors[i]);
  if (out_ptrs != NULL)
    for (i = 0; i < m->num_outputs; ++i)
      free(out_ptrs[i]);
  free(tensors);
  free(in_ptrs);
  free(out_ptrs);
  free(arena);
  fflush(stdout);
  return exit_code;
}
