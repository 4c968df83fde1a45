/* platform_semihost.c - the runner's platform layer on bare-metal Cortex-M
 * (Armv7-M / Armv8-M) with newlib and Arm semihosting (--specs=rdimon.specs).
 *
 * Memory: newlib's memalign (its aligned_alloc calls posix_memalign, which
 * Debian 12's newlib 3.3 does not provide); free() releases it.
 *
 * Files: newlib's fopen goes through semihosting to the host (qemu or the
 * debugger), relative to the host's working directory. Semihosting has no
 * call to create a directory, so the output directory must already exist
 * (SYS_SYSTEM could run "mkdir -p" on the host, but that hands a command line
 * to the host shell; not done).
 *
 * Time: the SysTick timer, counting down from 2^24 - 1 with an exception at
 * each wrap (the board's vector table routes exception 15 to
 * edgert_systick_handler). It counts the reference clock when SYST_CALIB
 * gives its rate (TENMS + 1 ticks per 10 ms), otherwise the processor clock
 * at edgert_board_cpu_hz, which the board's startup.o defines.
 * Under qemu (no -icount) both clocks run on qemu's virtual clock, which
 * follows the host's real time: a median_us is then the host time qemu took
 * to emulate the run, not a cycle count of real hardware. qemu 7.2 gives
 * mps2-an386 a 1 MHz reference clock (1 us steps) and mps3-an547 none (its
 * processor clock is 32 MHz). DWT CYCCNT is not used: qemu reads it as 0.
 */
#include "runner_internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#define EDGERT_REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR EDGERT_REG(0xE000E010u)
#define SYST_RVR EDGERT_REG(0xE000E014u)
#define SYST_CVR EDGERT_REG(0xE000E018u)
#define SYST_CALIB EDGERT_REG(0xE000E01Cu)
#define SCB_ICSR EDGERT_REG(0xE000ED04u)

#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1: processor clock */
#define SYST_CALIB_NOREF (1u << 31)
#define SYST_CALIB_TENMS 0x00FFFFFFu
#define SCB_ICSR_PENDSTSET (1u << 26)
#define SYST_RELOAD 0x00FFFFFFu

void *edgert_platform_aligned_alloc(size_t alignment, size_t size) {
  return memalign(alignment, size);
}

/* The processor clock in Hz, defined by the board (startup.o). */
extern const uint32_t edgert_board_cpu_hz;

static volatile uint32_t systick_wraps;
static double systick_us_per_tick; /* 0 until the timer is started */

/* Exception 15: one more period of 2^24 ticks. */
void edgert_systick_handler(void);
void edgert_systick_handler(void) { systick_wraps = systick_wraps + 1; }

static void systick_start(void) {
  uint32_t calib = SYST_CALIB;
  uint32_t csr = SYST_CSR_ENABLE | SYST_CSR_TICKINT;
  long spins;
  if ((calib & SYST_CALIB_NOREF) == 0 && (calib & SYST_CALIB_TENMS) != 0) {
    systick_us_per_tick = 10000.0 / (double)((calib & SYST_CALIB_TENMS) + 1);
  } else {
    csr |= SYST_CSR_CLKSOURCE;
    systick_us_per_tick = 1e6 / (double)edgert_board_cpu_hz;
  }
  SYST_RVR = SYST_RELOAD;
  SYST_CVR = 0; /* any write clears the counter and COUNTFLAG */
  SYST_CSR = csr;
  /* The 0 written above precedes the first reload (it is not the end of a
   * period): wait for the reload, bounded in case the clock does not run. */
  for (spins = 0; SYST_CVR == 0 && spins < 1000000L; ++spins) {
  }
}

double edgert_platform_now_us(void) {
  static uint64_t last_ticks;
  uint32_t wraps, value, pending;
  uint64_t ticks;
  if (systick_us_per_tick == 0)
    systick_start();
  do {
    wraps = systick_wraps;
    value = SYST_CVR;
    pending = SCB_ICSR & SCB_ICSR_PENDSTSET;
  } while (wraps != systick_wraps);
  /* The counter wrapped but the exception has not been taken yet. */
  if (pending && value > SYST_RELOAD / 2)
    ++wraps;
  ticks = (uint64_t)wraps * (SYST_RELOAD + 1u) + (SYST_RELOAD - value);
  /* qemu shows the reloaded counter before it makes the exception pending
   * (a host timer callback does that later), so just after a reload the
   * new period may be missing: never go back in time. */
  if (ticks < last_ticks)
    ticks += SYST_RELOAD + 1u;
  last_ticks = ticks;
  return (double)ticks * systick_us_per_tick;
}

/* Checks that `dir` exists: opening a directory for reading succeeds on a
 * POSIX host. A regular file passes too; writing into it fails later with
 * "Not a directory". */
int edgert_platform_prepare_output_dir(const char *dir,
                                       edgert_error_t *out_error) {
  FILE *f;
  errno = 0;
  f = fopen(dir, "rb");
  if (f != NULL) {
    fclose(f);
    return 1;
  }
  edgert_internal_fail(out_error, EDGERT_ERR_IO,
                       "cannot open output directory '%s': %s (under "
                       "semihosting the runner cannot create directories: "
                       "create it before the run)",
                       dir, strerror(errno ? errno : ENOENT));
  return 0;
}

/* Bare metal has one thread: the model's kernels run serially. */
int edgert_platform_start_threads(int32_t threads, edgert_error_t *out_error) {
  if (threads <= 1)
    return 1;
  edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                       "--threads=%d: this platform runs one thread",
                       (int)threads);
  return 0;
}

void edgert_platform_stop_threads(void) {}

int edgert_platform_guarded_run(const edgert_model_t *m,
                                const void *const *inputs,
                                void *const *outputs,
                                edgert_error_t *out_error) {
  (void)m;
  (void)inputs;
  (void)outputs;
  edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                       "--guard-pages needs a memory-mapping host (POSIX)");
  return 0;
}
