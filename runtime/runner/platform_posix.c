/* platform_posix.c - the runner's platform layer on POSIX systems: C11
 * aligned_alloc, a monotonic clock and one-level creation of the output
 * directory, the pthread pool of edgert_threads behind --threads, and the
 * guarded buffers of --guard-pages (mmap, mprotect, a SIGSEGV handler). */
#define _POSIX_C_SOURCE 200809L
#define _ISOC11_SOURCE /* aligned_alloc under -std=c99 (glibc) */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS (POSIX 2024, not 2008) */
#include "runner_internal.h"

#include "edgert_threads.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

void *edgert_platform_aligned_alloc(size_t alignment, size_t size) {
  return aligned_alloc(alignment, size);
}

double edgert_platform_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Creates `dir` (one level) unless it already is a directory. */
int edgert_platform_prepare_output_dir(const char *dir,
                                       edgert_error_t *out_error) {
  struct stat sb;
  if (mkdir(dir, 0777) == 0)
    return 1;
  if (errno == EEXIST) {
    if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
      return 1;
    errno = ENOTDIR;
  }
  edgert_internal_fail(out_error, EDGERT_ERR_IO,
                       "cannot create output directory '%s': %s", dir,
                       strerror(errno));
  return 0;
}

/* The runner's pool: one per process, started before the runs. */
static edgert_thread_pool_t runner_pool;
static int runner_pool_started;

int edgert_platform_start_threads(int32_t threads, edgert_error_t *out_error) {
  edgert_status_t st;
  if (threads <= 1)
    return 1;
  st = edgert_thread_pool_start(&runner_pool, threads);
  if (st != EDGERT_OK) {
    edgert_internal_fail(out_error, st, "cannot start %d threads: %s",
                         (int)threads, edgert_status_message(st));
    return 0;
  }
  runner_pool_started = 1;
  edgert_set_parallel_for(edgert_thread_pool_parallel_for, &runner_pool);
  return 1;
}

void edgert_platform_stop_threads(void) {
  if (!runner_pool_started)
    return;
  edgert_set_parallel_for(NULL, NULL);
  edgert_thread_pool_stop(&runner_pool);
  runner_pool_started = 0;
}

/* ---- --guard-pages ---------------------------------------------------------
 * Every buffer the model's code may touch sits in its own mapping between two
 * PROT_NONE pages; a touch outside it stops the process with a message
 * naming the buffer (SIGSEGV handler). The executable's weights are guarded
 * too when it was linked with test/e2e/guard-weights.ld, which leaves an
 * empty page on each side of .edgec.weights and names them here. */

extern const char edgec_guard_weights_lo[] __attribute__((weak));
extern const char edgec_guard_weights_hi[] __attribute__((weak));

typedef struct {
  char *map;       /* the mapping: guard page, data pages, guard page */
  size_t map_size;
  char *data;      /* the buffer inside it */
  char what[48];   /* "input 0", "output 1", "the arena", "the weights" */
} guard_region_t;

#define GUARD_MAX_REGIONS 520
static guard_region_t guard_regions[GUARD_MAX_REGIONS];
static int guard_count;
static size_t guard_page;

static void guard_write(const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0)
      return;
    s += w;
    n -= (size_t)w;
  }
}

/* Async-signal-safe: names the guard page holding the faulting address. */
static void guard_on_fault(int sig, siginfo_t *info, void *context) {
  uintptr_t addr = (uintptr_t)info->si_addr;
  char hex[2 + 16 + 1];
  int i, k;
  (void)context;
  hex[0] = '0';
  hex[1] = 'x';
  for (k = 0; k < 16; ++k)
    hex[2 + k] = "0123456789abcdef"[(addr >> (60 - 4 * k)) & 15];
  hex[18] = '\0';
  guard_write("error: --guard-pages: the model's code touched ");
  guard_write(hex);
  for (i = 0; i < guard_count; ++i) {
    const guard_region_t *r = &guard_regions[i];
    uintptr_t lo = (uintptr_t)r->map, hi = lo + r->map_size;
    if (addr >= lo && addr < lo + guard_page) {
      guard_write(", in the guard page before ");
      guard_write(r->what);
      break;
    }
    if (addr >= hi - guard_page && addr < hi) {
      guard_write(", in the guard page after ");
      guard_write(r->what);
      break;
    }
  }
  if (i == guard_count)
    guard_write(", outside every guarded buffer");
  guard_write(sig == SIGBUS ? " (SIGBUS)\n" : " (SIGSEGV)\n");
  _exit(3);
}

/* A buffer of `size` bytes aligned to `align`, its end at the upper guard
 * page (tail) or its start at the lower one (head). */
static char *guard_alloc(uint64_t size, size_t align, int tail,
                         const char *what, int index) {
  guard_region_t *r;
  size_t data_pages;
  if (guard_count == GUARD_MAX_REGIONS || size > (uint64_t)SIZE_MAX / 2)
    return NULL;
  r = &guard_regions[guard_count];
  data_pages = ((size_t)size + guard_page - 1) / guard_page;
  if (data_pages == 0)
    data_pages = 1;
  r->map_size = (data_pages + 2) * guard_page;
  r->map = (char *)mmap(NULL, r->map_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r->map == (char *)MAP_FAILED)
    return NULL;
  if (mprotect(r->map, guard_page, PROT_NONE) != 0 ||
      mprotect(r->map + r->map_size - guard_page, guard_page, PROT_NONE) != 0) {
    munmap(r->map, r->map_size);
    return NULL;
  }
  r->data = r->map + guard_page;
  if (tail) {
    uintptr_t end = (uintptr_t)(r->map + r->map_size - guard_page);
    r->data = (char *)((end - (size_t)size) / align * align);
  }
  if (index >= 0)
    snprintf(r->what, sizeof r->what, "%s %d", what, index);
  else
    snprintf(r->what, sizeof r->what, "%s", what);
  ++guard_count;
  return r->data;
}

/* Protects the pages the guard-weights linker script left around the
 * weights (a no-op in an executable linked without it). */
static int guard_weights(edgert_error_t *out_error) {
  const char *lo = edgec_guard_weights_lo, *hi = edgec_guard_weights_hi;
  guard_region_t *r;
  if (lo == NULL || hi == NULL)
    return 1;
  /* The linker may also leave the pages out of every segment: ENOMEM, no
   * page mapped there, is as inaccessible as PROT_NONE. */
  if ((uintptr_t)lo % guard_page != 0 || (uintptr_t)hi % guard_page != 0 ||
      (mprotect((void *)lo, guard_page, PROT_NONE) != 0 && errno != ENOMEM) ||
      (mprotect((void *)hi, guard_page, PROT_NONE) != 0 && errno != ENOMEM)) {
    edgert_internal_fail(out_error, EDGERT_ERR_IO,
                         "--guard-pages: cannot protect the pages around the "
                         "weights: %s",
                         strerror(errno));
    return 0;
  }
  /* Described as one region from the lower guard page to the upper one. */
  r = &guard_regions[guard_count++];
  r->map = (char *)lo;
  r->map_size = (size_t)(hi - lo) + guard_page;
  r->data = NULL; /* never unmapped */
  snprintf(r->what, sizeof r->what, "the weights");
  return 1;
}

int edgert_platform_guarded_run(const edgert_model_t *m,
                                const void *const *inputs,
                                void *const *outputs,
                                edgert_error_t *out_error) {
  struct sigaction sa;
  void *in[256], *out[256], *first[256];
  char *arena = NULL;
  int pass, ok = 0;
  int32_t i;
  long page = sysconf(_SC_PAGESIZE);
  if (m->num_inputs > 256 || m->num_outputs > 256 || page <= 0) {
    edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                         "--guard-pages: at most 256 inputs and outputs");
    return 0;
  }
  guard_page = (size_t)page;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = guard_on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  guard_count = 0;
  if (!guard_weights(out_error))
    return 0;
  memset(first, 0, sizeof first);
  /* Pass 0: every buffer ends at its upper guard page (overruns); pass 1:
   * starts at its lower one (underruns). Inputs and outputs need only their
   * element's alignment, the arena its arena_alignment. */
  for (pass = 0; pass < 2; ++pass) {
    int tail = pass == 0, keep = guard_count;
    edgert_status_t st;
    for (i = 0; i < m->num_inputs; ++i) {
      size_t elem = edgert_dtype_size(m->inputs[i].dtype);
      in[i] = guard_alloc(m->inputs[i].size_bytes, elem ? elem : 1, tail,
                          "input", i);
      if (in[i] == NULL)
        goto fail_alloc;
      memcpy(in[i], inputs[i], (size_t)m->inputs[i].size_bytes);
    }
    for (i = 0; i < m->num_outputs; ++i) {
      size_t elem = edgert_dtype_size(m->outputs[i].dtype);
      out[i] = guard_alloc(m->outputs[i].size_bytes, elem ? elem : 1, tail,
                           "output", i);
      if (out[i] == NULL)
        goto fail_alloc;
    }
    arena = NULL;
    if (m->arena_size > 0 &&
        (arena = guard_alloc(m->arena_size,
                             m->arena_alignment ? m->arena_alignment : 1,
                             tail, "the arena", -1)) == NULL)
      goto fail_alloc;
    st = edgert_run_sized(m, (const void *const *)in, out, arena,
                          m->arena_size);
    if (st != EDGERT_OK) {
      edgert_internal_fail(out_error, st, "%s", edgert_status_message(st));
      goto done;
    }
    for (i = 0; i < m->num_outputs; ++i) {
      size_t n = (size_t)m->outputs[i].size_bytes;
      if (pass == 0) {
        first[i] = malloc(n ? n : 1);
        if (first[i] == NULL)
          goto fail_alloc;
        memcpy(first[i], out[i], n);
      } else if (memcmp(first[i], out[i], n) != 0) {
        edgert_internal_fail(out_error, EDGERT_ERR_BAD_MODEL,
                             "--guard-pages: output %d differs between the "
                             "run with buffers at their upper guard pages and "
                             "the run at their lower ones",
                             (int)i);
        goto done;
      } else {
        memcpy(outputs[i], out[i], n);
      }
    }
    /* Unmap this pass's buffers (the weights' guard stays). */
    for (i = keep; i < guard_count; ++i)
      munmap(guard_regions[i].map, guard_regions[i].map_size);
    guard_count = keep;
  }
  ok = 1;
  goto done;
fail_alloc:
  edgert_internal_fail(out_error, EDGERT_ERR_OUT_OF_MEMORY,
                       "--guard-pages: cannot map a guarded buffer");
done:
  for (i = 0; i < m->num_outputs; ++i)
    free(first[i]);
  for (i = 0; i < guard_count; ++i)
    if (guard_regions[i].data != NULL)
      munmap(guard_regions[i].map, guard_regions[i].map_size);
  guard_count = 0;
  signal(SIGSEGV, SIG_DFL);
  signal(SIGBUS, SIG_DFL);
  return ok;
}
