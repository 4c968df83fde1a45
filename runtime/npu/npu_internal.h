/* npu_internal.h - what the ENPU validator and simulator share. */
#ifndef EDGERT_NPU_INTERNAL_H
#define EDGERT_NPU_INTERNAL_H

#include "edgert_npu.h"

#if defined(__GNUC__) || defined(__clang__)
#define NPU_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define NPU_PRINTF(fmt, args)
#endif

/* The stream's header (spec §3.1), once parsed. */
typedef struct npu_header {
  uint32_t minor; /* the version's */
  uint32_t num_regions;
  uint32_t region_size[EDGERT_NPU_MAX_REGIONS];
  uint32_t region_flags[EDGERT_NPU_MAX_REGIONS];
  uint32_t body; /* index of the first body word */
  uint32_t body_words;
} npu_header_t;

/* A byte range of SRAM an operation touches. */
typedef struct npu_range {
  uint64_t addr, len;
} npu_range_t;
#define NPU_MAX_RANGES 5

/* Fills *report ("RULE: word W: ...") and returns 0. */
int npu_fail(edgert_npu_report_t *report, const char *rule, uint32_t word,
             const char *fmt, ...) NPU_PRINTF(4, 5);

const char *npu_opcode_name(uint32_t opcode);

/* The SRAM ranges of `op` into r[0..NPU_MAX_RANGES); *writes is the index
 * of the one it writes, or -1. Returns the count. */
int npu_op_ranges(const edgert_npu_op_t *op, npu_range_t *r, int *writes);

/* CONV and FC weights (spec §2.4): the tile count T of the N x N tiled
 * layout, and the bytes the operand spans in its WEIGHT_FMT. */
uint64_t npu_weight_tiles(uint32_t n, const edgert_npu_op_t *op);
uint64_t npu_weight_bytes(uint32_t n, const edgert_npu_op_t *op);

/* Cycles `op` takes (spec §5). */
uint64_t npu_duration(const edgert_npu_config_t *config,
                      const edgert_npu_op_t *op);

/* Runs an operation (the simulator); returns 0 after filling *report. */
typedef int (*npu_exec_fn)(void *ctx, const edgert_npu_op_t *op,
                           edgert_npu_report_t *report);

/* The abstract run of the two queues (SYN-1, SYN-3, the timing of §5),
 * calling exec on each operation in an order every dependency respects. */
int npu_schedule(const edgert_npu_config_t *config, edgert_npu_op_t *ops,
                 size_t n, npu_exec_fn exec, void *ctx,
                 edgert_npu_counters_t *counters, edgert_npu_report_t *report);

/* The whole validation: 1 accepted, 0 rejected (*report), -1 more
 * operations than max_ops. */
int npu_validate_into(const edgert_npu_config_t *config, const uint32_t *s,
                      size_t words, npu_header_t *h, edgert_npu_op_t *ops,
                      size_t max_ops, size_t *num_ops,
                      edgert_npu_counters_t *counters,
                      edgert_npu_report_t *report);

#endif /* EDGERT_NPU_INTERNAL_H */
