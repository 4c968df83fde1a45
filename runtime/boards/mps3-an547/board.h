/* board.h - mps3-an547: Arm MPS3 FPGA image AN547, a Cortex-M55 (SSE-300)
 * with MVE and a double-precision FPU, as modelled by qemu (-M mps3-an547,
 * hw/arm/mps2-tz.c). Memory map: link.ld. */
#ifndef EDGERT_BOARD_H
#define EDGERT_BOARD_H

#define EDGERT_BOARD_NAME "mps3-an547"
/* SYSCLK, the processor clock (qemu: 32 MHz). */
#define EDGERT_BOARD_CPU_HZ 32000000u

#endif /* EDGERT_BOARD_H */
