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

#endif /* EDGERT_RUNNER_INTERNAL_H */
