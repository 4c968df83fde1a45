/* fuzz_npu_validate.c - libFuzzer target: the ENPU validator, and the
 * simulator on every stream it accepts (runtime/npu/, docs/npu-spec.md).
 *
 * Most inputs become the body of a stream whose header (region table,
 * length, CRC) is made right here, so that the fuzzer explores the command
 * rules instead of stopping at the CRC; one input in eight (first byte's
 * low bits zero) is taken as a whole stream. Accepted streams run on an
 * npu8-64k simulator with their regions bound to buffers of the declared
 * sizes (when those are at most 64 KiB each): the validator must have
 * caught everything that would touch memory outside them (each region is
 * its own allocation of exactly that size, so AddressSanitizer sees any
 * byte past it). */
#include "edgert_npu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 4096
#define MAX_OPS 512
#define MAX_REGION 65536

static uint32_t words[MAX_WORDS + 64];
static edgert_npu_op_t ops[MAX_OPS];
static uint8_t sram[64 * 1024];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const edgert_npu_config_t config = {8, 64 * 1024, 4, 8};
  edgert_npu_report_t report;
  edgert_npu_counters_t counters;
  size_t n = 0, body_words, i, num_ops = 0;
  uint32_t regions = 4;
  if (size < 1)
    return 0;
  if ((data[0] & 7) == 0) { /* the bytes are the whole stream */
    n = (size - 1) / 4 < MAX_WORDS ? (size - 1) / 4 : MAX_WORDS;
    memcpy(words, data + 1, n * 4);
  } else {
    static const uint32_t sizes[4] = {4096, 65536, 4096, 4096};
    static const uint32_t flags[4] = {1, 3, 1, 2};
    body_words = (size - 1) / 4 < MAX_WORDS ? (size - 1) / 4 : MAX_WORDS;
    words[n++] = EDGERT_NPU_MAGIC;
    words[n++] = 1u << 16;
    words[n++] = edgert_npu_descriptor0(&config);
    words[n++] = config.sram_bytes;
    words[n++] = regions;
    for (i = 0; i < regions; ++i) {
      words[n++] = sizes[i];
      words[n++] = flags[i];
    }
    words[n++] = (uint32_t)body_words;
    memcpy(words + n + 1, data + 1, body_words * 4);
    words[n] = edgert_npu_crc32(0, words + n + 1, body_words * 4);
    n += 1 + body_words;
  }
  if (edgert_npu_validate(&config, words, n, ops, MAX_OPS, &num_ops,
                          &report) == EDGERT_OK) {
    edgert_npu_region_t bound[EDGERT_NPU_MAX_REGIONS];
    edgert_npu_sim_t sim;
    uint32_t r = words[4];
    for (i = 0; i < r; ++i)
      if (words[5 + 2 * i] > MAX_REGION)
        return 0;
    for (i = 0; i < r; ++i) {
      bound[i].size = words[5 + 2 * i];
      bound[i].base = calloc(1, bound[i].size ? bound[i].size : 1);
    }
    sim.config = config;
    sim.sram = sram;
    memset(sim.lut, 0, sizeof sim.lut);
    (void)edgert_npu_sim_run(&sim, words, n, bound, (int32_t)r, ops, MAX_OPS,
                             &counters, &report);
    for (i = 0; i < r; ++i)
      free(bound[i].base);
  } else if (report.rule[0] == '\0') {
    abort(); /* rejected without naming a rule */
  }
  return 0;
}
