/* board.h - mps2-an386: Arm MPS2 FPGA image AN386, a Cortex-M4 with FPU,
 * as modelled by qemu (-M mps2-an386, hw/arm/mps2.c). Memory map: link.ld. */
#ifndef EDGERT_BOARD_H
#define EDGERT_BOARD_H

#define EDGERT_BOARD_NAME "mps2-an386"
/* SYSCLK, the processor clock (qemu: 25 MHz). */
#define EDGERT_BOARD_CPU_HZ 25000000u

#endif /* EDGERT_BOARD_H */
