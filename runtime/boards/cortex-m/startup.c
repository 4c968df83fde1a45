/* startup.c - vector table and reset handler of the Cortex-M boards
 * (boards/<board>/board.h, boards/<board>/link.ld), for programs linked with
 * newlib's semihosting crt0 and libraries (--specs=rdimon.specs).
 *
 * Reset: enable the FPU (and on Armv8.1-M the MVE, which the same CP10/CP11
 * access bits control) before any floating-point instruction, copy .data
 * from its load address in read-only memory, then call newlib's _start
 * (rdimon crt0: zeroes .bss, reads the command line from the host, runs the
 * constructors, main and exit; main's return value becomes the exit code of
 * qemu). qemu -kernel loads .data at its load address, as a flash
 * programmer would, so the copy is needed under qemu and on hardware.
 *
 * Stack: rdimon's crt0 moves SP to the stack base the host reports through
 * SYS_HEAPINFO (qemu 7.2 reports the top of PSRAM on mps2-an386, the top of
 * the ITCM on mps3-an547), then calls the weak hook _stack_init; this file
 * overrides the hook to put SP back at __stack, the top of the stack section
 * of link.ld.
 *
 * Heap: newlib's malloc (the runner's buffers) grows through _sbrk, defined
 * here over [__edgert_heap_start, __edgert_heap_end) of link.ld; rdimon's
 * own _sbrk grows from the end of .bss up to SP, which crosses unmapped
 * memory when the regions are apart.
 *
 * Exceptions: SysTick (15) goes to edgert_systick_handler, which the runner
 * (platform_semihost.c) defines for its timer; this file has an empty weak
 * default. Every other exception is unexpected: its number is written to the
 * host and the program exits with a failure status through semihosting, so
 * qemu stops instead of hanging. No device interrupt is enabled.
 */
#include "board.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* From link.ld. */
extern uint32_t __edgert_stack_top[];
extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern char __edgert_heap_start[], __edgert_heap_end[];

/* newlib's crt0 entry point. */
extern void _start(void);

/* The processor clock, for the runner's SysTick timer when the SysTick has
 * no reference clock. */
const uint32_t edgert_board_cpu_hz = EDGERT_BOARD_CPU_HZ;

void edgert_reset_handler(void);
void edgert_unexpected_exception(void);
void edgert_systick_handler(void);
void _stack_init(void);
void *_sbrk(ptrdiff_t increment);

#define EDGERT_REG(addr) (*(volatile uint32_t *)(addr))
#define SCB_CPACR EDGERT_REG(0xE000ED88u)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

void edgert_reset_handler(void) {
  const uint32_t *src = __data_load__;
  uint32_t *dst = __data_start__;
  SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  while (dst < __data_end__)
    *dst++ = *src++;
  _start();
  for (;;) {
  }
}

/* Called by rdimon's crt0 right after it set SP from SYS_HEAPINFO, before
 * anything is on the stack. Naked: no prologue may touch the stack. */
__attribute__((naked)) void _stack_init(void) {
  __asm__ volatile("ldr r3, =__stack\n\t"
                   "mov sp, r3\n\t"
                   "bx lr\n\t"
                   ".ltorg");
}

void *_sbrk(ptrdiff_t increment) {
  static char *brk = __edgert_heap_start;
  char *previous = brk;
  if (increment > __edgert_heap_end - brk ||
      increment < __edgert_heap_start - brk) {
    errno = ENOMEM;
    return (void *)-1;
  }
  brk += increment;
  return previous;
}

/* A semihosting call: operation in r0, parameter in r1, result in r0. */
static uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

void edgert_unexpected_exception(void) {
  char message[] = "edgert: unexpected exception   \n";
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  ipsr &= 0x1FFu;
  message[29] = (char)('0' + ipsr / 100 % 10);
  message[30] = (char)('0' + ipsr / 10 % 10);
  message[31] = (char)('0' + ipsr % 10);
  semihost(SYS_WRITE0, message);
  /* On 32-bit Arm the parameter of SYS_EXIT is the reason itself; qemu
   * exits with status 1 for any reason but "application exit". */
  semihost(SYS_EXIT, (const void *)(uintptr_t)ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
  for (;;) {
  }
}

/* The runner's platform_semihost.c overrides this. */
__attribute__((weak)) void edgert_systick_handler(void) {}

/* The vector table: initial SP, then exceptions 1..15 (ARMv7-M / ARMv8-M). */
typedef struct edgert_vector_table {
  void *initial_sp;
  void (*handlers[15])(void);
} edgert_vector_table_t;

__attribute__((section(".isr_vector"), used))
const edgert_vector_table_t edgert_vector_table = {
    __edgert_stack_top,
    {
        edgert_reset_handler,        /*  1 Reset */
        edgert_unexpected_exception, /*  2 NMI */
        edgert_unexpected_exception, /*  3 HardFault */
        edgert_unexpected_exception, /*  4 MemManage */
        edgert_unexpected_exception, /*  5 BusFault */
        edgert_unexpected_exception, /*  6 UsageFault */
        edgert_unexpected_exception, /*  7 SecureFault (ARMv8-M) */
        edgert_unexpected_exception, /*  8 reserved */
        edgert_unexpected_exception, /*  9 reserved */
        edgert_unexpected_exception, /* 10 reserved */
        edgert_unexpected_exception, /* 11 SVCall */
        edgert_unexpected_exception, /* 12 DebugMonitor */
        edgert_unexpected_exception, /* 13 reserved */
        edgert_unexpected_exception, /* 14 PendSV */
        edgert_systick_handler,      /* 15 SysTick */
    }};
