/* platform_posix.c - the runner's platform layer on POSIX systems: C11
 * aligned_alloc, a monotonic clock and one-level creation of the output
 * directory, and the pthread pool of edgert_threads behind --threads. */
#define _POSIX_C_SOURCE 200809L
#define _ISOC11_SOURCE /* aligned_alloc under -std=c99 (glibc) */
#include "runner_internal.h"

#include "edgert_threads.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

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
