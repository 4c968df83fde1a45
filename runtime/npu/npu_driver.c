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
