/* runner_internal.h - helpers shared by the runner's translation units.
 * Not installed; every symbol still carries the edgert_ prefix because the
 * static archive exports them. */
#ifndef EDGERT_RUNNER_INTERNAL_H
#define EDGERT_RUNNER_INTERNAL_H

#include "edgert_runner.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define EDGERT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define EDGERT_PRINTF(fmt, args)
#endif

/* Formats a message into *out_error (if not NULL) and returns `status`. */
edgert_status_t edgert_internal_fail(edgert_error_t *out_error,
                                     edgert_status_t status, const char *fmt,
                                     ...) EDGERT_PRINTF(3, 4);

/* Allocates max(size, 1) bytes aligned to EDGERT_ARENA_ALIGNMENT, zeroed.
 * Returns NULL when the size does not fit or memory is exhausted. Ownership:
 * the caller frees the result with free(). */
void *edgert_internal_alloc(uint64_t size);

/* Element count and byte size of a tensor, with overflow and sign checks.
 * Returns 0 when a dimension is negative, the dtype is unknown or the size
 * overflows uint64_t; 1 otherwise. */
int edgert_internal_tensor_size(int32_t dtype, int32_t rank,
                                const int64_t *shape, uint64_t *out_count,
                                uint64_t *out_bytes);

/* Writes "scalar" (rank 0) or "2x3x4" into buf (size bytes, truncated). */
void edgert_internal_shape_string(int32_t rank, const int64_t *shape,
                                  char *buf, size_t size);

/* ---- platform layer ----------------------------------------------------
 * One of platform_posix.c (clock_gettime, mkdir, stat) or
 * platform_semihost.c (Cortex-M, newlib + Arm semihosting, SysTick),
 * chosen by the CMake option EDGERT_PLATFORM. */

/* Allocates `size` bytes (a multiple of `alignment`, a power of two) aligned
 * to `alignment`; NULL when memory is exhausted. Ownership: the caller frees
 * the result with free(). */
void *edgert_platform_aligned_alloc(size_t alignment, size_t size);

/* A monotonic time in microseconds, meaningful only as a difference between
 * two calls. */
double edgert_platform_now_us(void);

/* Makes `dir` ready to receive the output files (POSIX: creates it, one
 * level; semihosting: checks that it exists). Returns 1, or 0 after writing
 * a one-line reason into *out_error ("cannot create output directory 'DIR':
 * REASON" on POSIX). */
int edgert_platform_prepare_output_dir(const char *dir,
                                       edgert_error_t *out_error);

/* Installs `threads` workers (the calling thread included) behind
 * edgert_parallel_for for the following runs: POSIX starts edgert_threads'
 * pool when threads > 1. Returns 1, or 0 after writing a one-line reason
 * into *out_error (semihosting has no threads). */
int edgert_platform_start_threads(int32_t threads, edgert_error_t *out_error);

/* Uninstalls and stops what edgert_platform_start_threads started. */
void edgert_platform_stop_threads(void);

/* --guard-pages: runs `m` twice with each input, output and the arena in its
 * own mapping between two inaccessible pages, first with every buffer ending
 * at its upper guard page, then starting at its lower one (the arena's end
 * is rounded down to its alignment: up to arena_alignment - 1 bytes past it
 * stay unguarded in the first run). A touch outside the buffers ends the
 * process with exit code 3 and a message naming the buffer. The two runs'
 * outputs must be the same bytes; they are copied to outputs[i]. Returns 1,
 * or 0 after writing a one-line reason into *out_error (semihosting: not
 * supported). */
int edgert_platform_guarded_run(const edgert_model_t *m,
                                const void *const *inputs, void *const *outputs,
                                edgert_error_t *out_error);

#endif /* EDGERT_RUNNER_INTERNAL_H */
