/* edgert_npu.h - the ENPU (docs/npu-spec.md): validating command streams,
 * the simulator, and the driver interface a real device plugs into.
 *
 * C99, no dynamic allocation, no I/O: the caller provides the simulator's
 * SRAM and the validator's workspace. A stream is validated whole before any
 * of it runs; a rejected stream reports the rule it breaks (the spec's id,
 * "HDR-6", ...) and the word where it was found.
 */
#ifndef EDGERT_NPU_H
#define EDGERT_NPU_H

#include "edgert.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERT_NPU_MAGIC 0x55504E45u /* "ENPU" */
#define EDGERT_NPU_VERSION_MAJOR 1u
#define EDGERT_NPU_VERSION_MINOR 1u
#define EDGERT_NPU_MAX_REGIONS 16
#define EDGERT_NPU_SEMAPHORES 8
#define EDGERT_NPU_REGISTERS 27
/* Registers of version 1.0 (a 1.0 stream names no others). */
#define EDGERT_NPU_REGISTERS_1_0 25

/* Opcodes (spec §3.2). */
enum {
  EDGERT_NPU_SET_REG = 0x01,
  EDGERT_NPU_DMA_LOAD = 0x10,
  EDGERT_NPU_DMA_STORE = 0x11,
  EDGERT_NPU_CONV = 0x20,
  EDGERT_NPU_DWCONV = 0x21,
  EDGERT_NPU_FC = 0x22,
  EDGERT_NPU_POOL = 0x23,
  EDGERT_NPU_ELTWISE = 0x24,
  EDGERT_NPU_LUT_LOAD = 0x25,
  EDGERT_NPU_END = 0x7F
};

/* Registers (spec §3.3). */
enum {
  EDGERT_NPU_IFM_ADDR,
  EDGERT_NPU_IFM_H,
  EDGERT_NPU_IFM_W,
  EDGERT_NPU_IFM_C,
  EDGERT_NPU_IFM_ZP,
  EDGERT_NPU_OFM_ADDR,
  EDGERT_NPU_OFM_H,
  EDGERT_NPU_OFM_W,
  EDGERT_NPU_OFM_C,
  EDGERT_NPU_OFM_ZP,
  EDGERT_NPU_KERNEL,
  EDGERT_NPU_STRIDE,
  EDGERT_NPU_PAD,
  EDGERT_NPU_WEIGHT_ADDR,
  EDGERT_NPU_BIAS_ADDR,
  EDGERT_NPU_SCALE_ADDR,
  EDGERT_NPU_ACT,
  EDGERT_NPU_IFM2_ADDR,
  EDGERT_NPU_IFM2_ZP,
  EDGERT_NPU_ELT_M1,
  EDGERT_NPU_ELT_S1,
  EDGERT_NPU_ELT_M2,
  EDGERT_NPU_ELT_S2,
  EDGERT_NPU_POOL_M,
  EDGERT_NPU_POOL_S,
  EDGERT_NPU_WEIGHT_FMT,  /* 1.1: how CONV and FC weights are laid out */
  EDGERT_NPU_WEIGHT_TILES /* 1.1: tiles stored (WEIGHT_FMT 2) */
};

/* WEIGHT_FMT values (spec §2.4). */
enum {
  EDGERT_NPU_WEIGHTS_ROWS = 0,      /* [OC][KH][KW][IC]: the reset value */
  EDGERT_NPU_WEIGHTS_TILES = 1,     /* N x N tiles */
  EDGERT_NPU_WEIGHTS_COMPRESSED = 2 /* a tile bitmap, then nonzero tiles */
};

/* The spec's name of register `index` ("IFM_H", ...), or NULL outside
 * 0 .. EDGERT_NPU_REGISTERS - 1. A static string. */
const char *edgert_npu_register_name(int32_t index);

/* A hardware configuration (spec §1.1). */
typedef struct edgert_npu_config {
  uint32_t n;                   /* MAC array side: 8, 16 or 32 */
  uint32_t sram_bytes;          /* a power of two, 16 KiB to 16 MiB */
  uint32_t banks;               /* a power of two, 1 to 16 */
  uint32_t dma_bytes_per_cycle; /* a power of two, 4 to 64 */
} edgert_npu_config_t;

/* The hardware descriptor words of a configuration (spec §3.1). */
uint32_t edgert_npu_descriptor0(const edgert_npu_config_t *config);

/* An external region bound to host memory for one run. */
typedef struct edgert_npu_region {
  void *base;
  uint64_t size; /* at least the stream's region table says */
} edgert_npu_region_t;

/* Why a stream was rejected, or a run stopped. */
typedef struct edgert_npu_report {
  char rule[8];      /* "HDR-6", "SYN-2", ... ("" when accepted) */
  uint32_t word;     /* index of the offending word in the stream */
  char message[192]; /* one line */
} edgert_npu_report_t;

/* What a run did (spec §5). */
typedef struct edgert_npu_counters {
  uint64_t cycles; /* both queues done */
  uint64_t queue_cycles[2];
  uint64_t stall_cycles[2]; /* a queue waiting on a semaphore */
  uint64_t macs;
  uint64_t dma_bytes_in, dma_bytes_out;
  uint64_t sram_peak; /* highest SRAM byte touched, plus one */
  uint64_t operations;
} edgert_npu_counters_t;

/* One decoded operation, as the validator records it for the simulator. */
typedef struct edgert_npu_op {
  uint8_t opcode, queue, wait, signal;
  uint32_t word; /* index of the command word */
  uint32_t sub;  /* bit 16 of POOL / ELTWISE */
  uint32_t regs[EDGERT_NPU_REGISTERS];
  uint32_t payload[6]; /* DMA: region, offset, sram, row bytes, rows, stride;
                          LUT_LOAD: sram address */
  uint64_t weight_bytes; /* CONV, DWCONV, FC: the weight operand's span */
  int64_t start, end;  /* cycles (the timing run) */
  uint32_t seen[2];    /* per queue: ops of that queue ordered before this
                          one, plus one (vector clock) */
} edgert_npu_op_t;

/* Validates `stream` (`words` 32-bit words) for `config` with the region
 * sizes it declares, recording its operations in ops[0 .. max_ops)
 * (EDGERT_ERR_UNSUPPORTED when there are more) and their estimated times.
 * Returns EDGERT_OK, or EDGERT_ERR_FORMAT with *report filled. `report`
 * may be NULL. */
edgert_status_t edgert_npu_validate(const edgert_npu_config_t *config,
                                    const uint32_t *stream, size_t words,
                                    edgert_npu_op_t *ops, size_t max_ops,
                                    size_t *num_ops,
                                    edgert_npu_report_t *report);

/* The simulator: a device whose SRAM is caller memory (config->sram_bytes
 * bytes). */
typedef struct edgert_npu_sim {
  edgert_npu_config_t config;
  uint8_t *sram;
  int8_t lut[256];
} edgert_npu_sim_t;

/* Validates and runs `stream` on the simulator with `regions` bound (at
 * least as many as the stream's table, each at least its size):
 * EDGERT_OK with *counters filled, EDGERT_ERR_FORMAT (rejected, nothing
 * ran), EDGERT_ERR_BAD_MODEL (RUN-1 while running) or
 * EDGERT_ERR_ARENA_SIZE (a region smaller than the table), with *report. */
edgert_status_t edgert_npu_sim_run(edgert_npu_sim_t *sim,
                                   const uint32_t *stream, size_t words,
                                   const edgert_npu_region_t *regions,
                                   int32_t num_regions, edgert_npu_op_t *ops,
                                   size_t max_ops,
                                   edgert_npu_counters_t *counters,
                                   edgert_npu_report_t *report);

/* ---- the driver interface ------------------------------------------------
 * Generated code hands its command stream and buffers to the installed
 * driver: the simulator by default where the runner links it, or an
 * application's device. Calls are serialized by the caller (one stream in
 * flight). */
typedef struct edgert_npu_driver {
  void *device; /* passed to every call, untouched */
  /* Prepares the device once (edgert_npu_set_driver); may be NULL. */
  edgert_status_t (*init)(void *device);
  /* Starts `stream` with `regions` bound (both borrowed until wait
   * returns). A device validates the stream first and runs none of a
   * stream it rejects. */
  edgert_status_t (*submit)(void *device, const uint32_t *stream, size_t words,
                            const edgert_npu_region_t *regions,
                            int32_t num_regions);
  /* Waits for the submitted stream; its status, and *counters (may be
   * NULL) and *report (may be NULL) when the device has them. */
  edgert_status_t (*wait)(void *device, edgert_npu_counters_t *counters,
                          edgert_npu_report_t *report);
} edgert_npu_driver_t;

/* Installs `driver` (copied; NULL uninstalls) and calls its init. Returns
 * init's status, or EDGERT_ERR_NULL_ARGUMENT when submit or wait is
 * missing. */
edgert_status_t edgert_npu_set_driver(const edgert_npu_driver_t *driver);

/* Submits and waits on the installed driver: EDGERT_ERR_UNSUPPORTED when
 * none is installed, else the device's status. */
edgert_status_t edgert_npu_run(const uint32_t *stream, size_t words,
                               const edgert_npu_region_t *regions,
                               int32_t num_regions,
                               edgert_npu_counters_t *counters,
                               edgert_npu_report_t *report);

/* ---- what generated code calls -------------------------------------------
 * A layer compiled for the NPU calls one of these with its stream (a
 * constant of the object), the stream's constants (region 0), a scratch
 * buffer of the arena (region 1) and its inputs and output (regions 2...),
 * each as large as the stream's region table says. They run the stream on
 * the installed driver; a failure is reported with edgert_fail_run (so
 * edgert_run returns it) and kept for edgert_npu_totals, and once a run has
 * failed they run nothing more. */
void edgert_npu_invoke_1_1(const uint32_t *stream, const void *constants,
                           void *scratch, const void *input, void *output);
void edgert_npu_invoke_2_1(const uint32_t *stream, const void *constants,
                           void *scratch, const void *input0,
                           const void *input1, void *output);

/* The counters summed over the streams run since the last reset, how many
 * streams ran, and the report of the first failure ("" rule when none). */
typedef struct edgert_npu_totals {
  edgert_npu_counters_t counters;
  uint64_t streams;
  edgert_status_t status;
  edgert_npu_report_t report;
} edgert_npu_totals_t;
void edgert_npu_totals(edgert_npu_totals_t *out);
void edgert_npu_reset_totals(void);

/* The simulator as a device: its SRAM and operation workspace are the
 * caller's (sram of config.sram_bytes bytes, ops of max_ops entries). */
typedef struct edgert_npu_sim_device {
  edgert_npu_sim_t sim;
  edgert_npu_op_t *ops;
  size_t max_ops;
  edgert_status_t status; /* of the last submit */
  edgert_npu_counters_t counters;
  edgert_npu_report_t report;
} edgert_npu_sim_device_t;

/* Fills *driver with the simulator device `dev` (set dev->sim, ops and
 * max_ops first). */
void edgert_npu_sim_driver(edgert_npu_sim_device_t *dev,
                           edgert_npu_driver_t *driver);

/* CRC-32 (IEEE 802.3, as zlib's crc32) of `size` bytes, starting from
 * `crc` (0 for a new checksum). */
uint32_t edgert_npu_crc32(uint32_t crc, const void *bytes, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* EDGERT_NPU_H */
