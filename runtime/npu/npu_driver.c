/* npu_driver.c - the installed NPU driver, and the simulator as one. */
#include "npu_internal.h"

#include <string.h>

static edgert_npu_driver_t g_driver;
static int g_installed;

edgert_status_t edgert_npu_set_driver(const edgert_npu_driver_t *driver) {
  if (driver == NULL) {
    g_installed = 0;
    return EDGERT_OK;
  }
  if (driver->submit == NULL || driver->wait == NULL)
    return EDGERT_ERR_NULL_ARGUMENT;
  g_driver = *driver;
  g_installed = 1;
  return g_driver.init != NULL ? g_driver.init(g_driver.device) : EDGERT_OK;
}

edgert_status_t edgert_npu_run(const uint32_t *stream, size_t words,
                               const edgert_npu_region_t *regions,
                               int32_t num_regions,
                               edgert_npu_counters_t *counters,
                               edgert_npu_report_t *report) {
  edgert_status_t st;
  if (!g_installed)
    return EDGERT_ERR_UNSUPPORTED;
  st = g_driver.submit(g_driver.device, stream, words, regions, num_regions);
  if (st != EDGERT_OK)
    return st;
  return g_driver.wait(g_driver.device, counters, report);
}

static edgert_status_t sim_submit(void *device, const uint32_t *stream,
                                  size_t words,
                                  const edgert_npu_region_t *regions,
                                  int32_t num_regions) {
  edgert_npu_sim_device_t *d = (edgert_npu_sim_device_t *)device;
  d->status =
      edgert_npu_sim_run(&d->sim, stream, words, regions, num_regions, d->ops,
                         d->max_ops, &d->counters, &d->report);
  return EDGERT_OK; /* the run's status comes from wait */
}

static edgert_status_t sim_wait(void *device, edgert_npu_counters_t *counters,
                                edgert_npu_report_t *report) {
  edgert_npu_sim_device_t *d = (edgert_npu_sim_device_t *)device;
  if (counters != NULL)
    *counters = d->counters;
  if (report != NULL)
    *report = d->report;
  return d->status;
}

void edgert_npu_sim_driver(edgert_npu_sim_device_t *dev,
                           edgert_npu_driver_t *driver) {
  memset(driver, 0, sizeof *driver);
  memset(&dev->counters, 0, sizeof dev->counters);
  memset(&dev->report, 0, sizeof dev->report);
  dev->status = EDGERT_OK;
  driver->device = dev;
  driver->submit = sim_submit;
  driver->wait = sim_wait;
}

/* ---- the calls of generated code ---------------------------------------- */

static edgert_npu_totals_t g_totals;

void edgert_npu_totals(edgert_npu_totals_t *out) {
  if (out != NULL)
    *out = g_totals;
}

void edgert_npu_reset_totals(void) { memset(&g_totals, 0, sizeof g_totals); }

/* Binds `count` buffers to the regions of `stream`'s table (their sizes
 * read from it) and runs it. */
static void invoke(const uint32_t *stream, void *const *buffers,
                   int32_t count) {
  edgert_npu_region_t regions[EDGERT_NPU_MAX_REGIONS];
  edgert_npu_counters_t counters;
  edgert_npu_report_t report;
  edgert_status_t st;
  uint32_t r, i;
  size_t words;
  if (edgert_run_failed())
    return;
  memset(&counters, 0, sizeof counters);
  memset(&report, 0, sizeof report);
  r = stream[4];
  if (r != (uint32_t)count || r > EDGERT_NPU_MAX_REGIONS) {
    st = EDGERT_ERR_BAD_MODEL;
    strcpy(report.rule, "BIND");
    strcpy(report.message, "the stream's region table does not match the "
                           "buffers the code passes");
  } else {
    for (i = 0; i < r; ++i) {
      regions[i].base = buffers[i];
      regions[i].size = stream[5 + 2 * i];
    }
    words = 7 + 2 * (size_t)r + stream[5 + 2 * r];
    st = edgert_npu_run(stream, words, regions, (int32_t)r, &counters,
                        &report);
    if (st == EDGERT_ERR_UNSUPPORTED && report.rule[0] == 0) {
      strcpy(report.rule, "BIND");
      strcpy(report.message, "no NPU driver is installed "
                             "(edgert_npu_set_driver)");
    }
  }
  g_totals.streams++;
  g_totals.counters.cycles += counters.cycles;
  for (i = 0; i < 2; ++i) {
    g_totals.counters.queue_cycles[i] += counters.queue_cycles[i];
    g_totals.counters.stall_cycles[i] += counters.stall_cycles[i];
  }
  g_totals.counters.macs += counters.macs;
  g_totals.counters.dma_bytes_in += counters.dma_bytes_in;
  g_totals.counters.dma_bytes_out += counters.dma_bytes_out;
  if (counters.sram_peak > g_totals.counters.sram_peak)
    g_totals.counters.sram_peak = counters.sram_peak;
  g_totals.counters.operations += counters.operations;
  if (st != EDGERT_OK) {
    if (g_totals.status == EDGERT_OK) {
      g_totals.status = st;
      g_totals.report = report;
    }
    edgert_fail_run(st);
  }
}

void edgert_npu_invoke_1_1(const uint32_t *stream, const void *constants,
                           void *scratch, const void *input, void *output) {
  void *buffers[4];
  buffers[0] = (void *)constants;
  buffers[1] = scratch;
  buffers[2] = (void *)input;
  buffers[3] = output;
  invoke(stream, buffers, 4);
}

void edgert_npu_invoke_2_1(const uint32_t *stream, const void *constants,
                           void *scratch, const void *input0,
                           const void *input1, void *output) {
  void *buffers[5];
  buffers[0] = (void *)constants;
  buffers[1] = scratch;
  buffers[2] = (void *)input0;
  buffers[3] = (void *)input1;
  buffers[4] = output;
  invoke(stream, buffers, 5);
}
