/* npu_exe_main.c - main() of `edgec --emit=exe --npu=...` executables: the
 * runner with the ENPU simulator installed as the NPU driver.
 *
 * The simulated device is built to the configuration each stream's header
 * names (its SRAM allocated on the host), so the executable runs the model
 * on the device it was compiled for. --benchmark adds one line with the
 * simulator's figures for one run: streams, cycles, MACs, DMA bytes, the
 * SRAM peak and the stalls of each queue. */
#include "edgert_npu.h"
#include "edgert_runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const edgert_model_t edgert_entry_model;

/* Operations a stream may hold (the validator's workspace). */
#define MAX_OPS 65536

typedef struct host_device {
  edgert_npu_sim_t sim;
  edgert_npu_op_t *ops;
  edgert_status_t status;
  edgert_npu_counters_t counters;
  edgert_npu_report_t report;
} host_device_t;

static host_device_t g_device;

static edgert_status_t submit(void *device, const uint32_t *stream,
                              size_t words, const edgert_npu_region_t *regions,
                              int32_t num_regions) {
  host_device_t *d = (host_device_t *)device;
  edgert_npu_config_t want;
  memset(&d->report, 0, sizeof d->report);
  memset(&d->counters, 0, sizeof d->counters);
  if (words < 4) {
    d->status = EDGERT_ERR_FORMAT;
    strcpy(d->report.rule, "HDR-5");
    strcpy(d->report.message, "the stream is shorter than its header");
    return EDGERT_OK;
  }
  want.n = stream[2] & 0xFFu;
  want.banks = 1u << ((stream[2] >> 8) & 0xFu);
  want.dma_bytes_per_cycle = 1u << ((stream[2] >> 12) & 0xFu);
  want.sram_bytes = stream[3];
  if (want.sram_bytes < 16384u || want.sram_bytes > (16u << 20) ||
      (want.sram_bytes & (want.sram_bytes - 1)) != 0) {
    d->status = EDGERT_ERR_FORMAT;
    strcpy(d->report.rule, "HDR-3");
    strcpy(d->report.message, "no simulated device has the SRAM size the "
                              "stream's descriptor names");
    return EDGERT_OK;
  }
  if (d->sim.sram == NULL || d->sim.config.sram_bytes != want.sram_bytes) {
    free(d->sim.sram);
    d->sim.sram = (uint8_t *)calloc(want.sram_bytes, 1);
  }
  if (d->ops == NULL)
    d->ops = (edgert_npu_op_t *)malloc(sizeof(edgert_npu_op_t) * MAX_OPS);
  if (d->sim.sram == NULL || d->ops == NULL) {
    d->status = EDGERT_ERR_OUT_OF_MEMORY;
    strcpy(d->report.message, "cannot allocate the simulated NPU's SRAM");
    return EDGERT_OK;
  }
  d->sim.config = want;
  d->status = edgert_npu_sim_run(&d->sim, stream, words, regions, num_regions,
                                 d->ops, MAX_OPS, &d->counters, &d->report);
  return EDGERT_OK;
}

static edgert_status_t wait_done(void *device, edgert_npu_counters_t *counters,
                                 edgert_npu_report_t *report) {
  host_device_t *d = (host_device_t *)device;
  if (counters != NULL)
    *counters = d->counters;
  if (report != NULL)
    *report = d->report;
  return d->status;
}

static void before_run(void) { edgert_npu_reset_totals(); }

static void after_bench(void) {
  edgert_npu_totals_t t;
  edgert_npu_totals(&t);
  printf("npu: streams=%llu cycles=%llu macs=%llu dma_in=%llu dma_out=%llu "
         "sram_peak=%llu stall_dma=%llu stall_compute=%llu\n",
         (unsigned long long)t.streams, (unsigned long long)t.counters.cycles,
         (unsigned long long)t.counters.macs,
         (unsigned long long)t.counters.dma_bytes_in,
         (unsigned long long)t.counters.dma_bytes_out,
         (unsigned long long)t.counters.sram_peak,
         (unsigned long long)t.counters.stall_cycles[0],
         (unsigned long long)t.counters.stall_cycles[1]);
}

static void after_error(void) {
  edgert_npu_totals_t t;
  edgert_npu_totals(&t);
  if (t.status != EDGERT_OK)
    fprintf(stderr, "error: NPU: %s%s%s\n", t.report.rule,
            t.report.rule[0] ? ": " : "", t.report.message);
}

int main(int argc, char **argv) {
  edgert_npu_driver_t driver;
  edgert_runner_hooks_t hooks;
  int rc;
  memset(&driver, 0, sizeof driver);
  driver.device = &g_device;
  driver.submit = submit;
  driver.wait = wait_done;
  edgert_npu_set_driver(&driver);
  memset(&hooks, 0, sizeof hooks);
  hooks.before_run = before_run;
  hooks.after_bench = after_bench;
  hooks.after_error = after_error;
  rc = edgert_runner_main_hooks(&edgert_entry_model, argc, argv, &hooks);
  free(g_device.sim.sram);
  free(g_device.ops);
  return rc;
}
