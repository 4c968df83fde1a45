// The npu dialect prints and parses, and npu-roundtrip writes each stream
// as the words of docs/npu-spec.md, has the runtime's validator accept them,
// and reads them back: the result is the input.
// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt %s --npu-roundtrip | FileCheck %s

// CHECK-LABEL: npu.stream @conv n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096, 4096, 4096, 4096] flags = [1, 3, 1, 2] {
// CHECK-NEXT: npu.dma_load region 2 offset 0 sram 0 bytes 128 rows 1 stride 0
// CHECK-NEXT: npu.dma_load region 0 offset 0 sram 256 bytes 576 rows 1 stride 0
// CHECK-NEXT: npu.dma_load region 0 offset 576 sram 1024 bytes 32 rows 1 stride 0
// CHECK-NEXT: npu.dma_load region 0 offset 608 sram 1088 bytes 64 rows 1 stride 0 {signal = 1 : i32}
// CHECK-NEXT: npu.set_reg "IFM_ADDR" = 0
// CHECK:      npu.set_reg "ACT" = 8355840
// CHECK-NEXT: npu.conv {signal = 2 : i32, wait = 1 : i32}
// CHECK-NEXT: npu.dma_store region 3 offset 0 sram 1280 bytes 128 rows 1 stride 0 {wait = 2 : i32}
// CHECK-NEXT: npu.end
npu.stream @conv n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096, 4096, 4096, 4096] flags = [1, 3, 1, 2] {
  npu.dma_load region 2 offset 0 sram 0 bytes 128 rows 1 stride 0
  npu.dma_load region 0 offset 0 sram 256 bytes 576 rows 1 stride 0
  npu.dma_load region 0 offset 576 sram 1024 bytes 32 rows 1 stride 0
  npu.dma_load region 0 offset 608 sram 1088 bytes 64 rows 1 stride 0 {signal = 1 : i32}
  npu.set_reg "IFM_ADDR" = 0
  npu.set_reg "IFM_H" = 4
  npu.set_reg "IFM_W" = 4
  npu.set_reg "IFM_C" = 8
  npu.set_reg "IFM_ZP" = -3
  npu.set_reg "OFM_ADDR" = 1280
  npu.set_reg "OFM_H" = 4
  npu.set_reg "OFM_W" = 4
  npu.set_reg "OFM_C" = 8
  npu.set_reg "OFM_ZP" = 5
  npu.set_reg "KERNEL" = 771
  npu.set_reg "STRIDE" = 257
  npu.set_reg "PAD" = 16843009
  npu.set_reg "WEIGHT_ADDR" = 256
  npu.set_reg "BIAS_ADDR" = 1024
  npu.set_reg "SCALE_ADDR" = 1088
  npu.set_reg "ACT" = 8355840
  npu.conv {signal = 2 : i32, wait = 1 : i32}
  npu.dma_store region 3 offset 0 sram 1280 bytes 128 rows 1 stride 0 {wait = 2 : i32}
  npu.end
}

// Every other command, in a stream the device accepts: a 1x1x32 vector
// through FC, depthwise 1x1, a LUT, max and average pooling, add and mul.
// CHECK-LABEL: npu.stream @others
// CHECK:      npu.lut_load sram 4096 {wait = 1 : i32}
// CHECK:      npu.fc
// CHECK:      npu.dwconv
// CHECK:      npu.pool average = false
// CHECK:      npu.pool average = true
// CHECK:      npu.eltwise mul = false
// CHECK:      npu.eltwise mul = true
// CHECK:      npu.end
npu.stream @others n = 16 sram = 262144 banks = 8 dma = 16 regions = [8192] flags = [1] {
  npu.dma_load region 0 offset 0 sram 0 bytes 8192 rows 1 stride 0 {signal = 1 : i32}
  npu.lut_load sram 4096 {wait = 1 : i32}
  npu.set_reg "IFM_ADDR" = 0
  npu.set_reg "IFM_H" = 1
  npu.set_reg "IFM_W" = 1
  npu.set_reg "IFM_C" = 32
  npu.set_reg "IFM_ZP" = 0
  npu.set_reg "OFM_ADDR" = 16384
  npu.set_reg "OFM_H" = 1
  npu.set_reg "OFM_W" = 1
  npu.set_reg "OFM_C" = 32
  npu.set_reg "OFM_ZP" = 0
  npu.set_reg "KERNEL" = 257
  npu.set_reg "STRIDE" = 257
  npu.set_reg "PAD" = 0
  npu.set_reg "WEIGHT_ADDR" = 1024
  npu.set_reg "BIAS_ADDR" = 2048
  npu.set_reg "SCALE_ADDR" = 3072
  npu.set_reg "ACT" = 8355841
  npu.fc
  npu.dwconv
  npu.pool average = false
  npu.set_reg "POOL_M" = 8388608
  npu.set_reg "POOL_S" = 23
  npu.pool average = true
  npu.set_reg "IFM2_ADDR" = 512
  npu.set_reg "IFM2_ZP" = 0
  npu.set_reg "ELT_M1" = 8388608
  npu.set_reg "ELT_S1" = 23
  npu.set_reg "ELT_M2" = 8388608
  npu.set_reg "ELT_S2" = 23
  npu.eltwise mul = false
  npu.eltwise mul = true
  npu.end
}

// Version 1.1's weight registers (docs/npu-spec.md §2.4): the 3x3
// convolution above with its weights in zero-compressed 8x8 tiles, 5 of its
// 9 tiles stored (a 16-byte bitmap and 5 x 64 bytes at 256).
// CHECK-LABEL: npu.stream @compressed
// CHECK:      npu.set_reg "WEIGHT_FMT" = 2
// CHECK-NEXT: npu.set_reg "WEIGHT_TILES" = 5
// CHECK-NEXT: npu.conv {signal = 2 : i32, wait = 1 : i32}
npu.stream @compressed n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096, 4096, 4096, 4096] flags = [1, 3, 1, 2] {
  npu.dma_load region 2 offset 0 sram 0 bytes 128 rows 1 stride 0
  npu.dma_load region 0 offset 0 sram 256 bytes 336 rows 1 stride 0
  npu.dma_load region 0 offset 576 sram 1024 bytes 32 rows 1 stride 0
  npu.dma_load region 0 offset 608 sram 1088 bytes 64 rows 1 stride 0 {signal = 1 : i32}
  npu.set_reg "IFM_ADDR" = 0
  npu.set_reg "IFM_H" = 4
  npu.set_reg "IFM_W" = 4
  npu.set_reg "IFM_C" = 8
  npu.set_reg "IFM_ZP" = -3
  npu.set_reg "OFM_ADDR" = 1280
  npu.set_reg "OFM_H" = 4
  npu.set_reg "OFM_W" = 4
  npu.set_reg "OFM_C" = 8
  npu.set_reg "OFM_ZP" = 5
  npu.set_reg "KERNEL" = 771
  npu.set_reg "STRIDE" = 257
  npu.set_reg "PAD" = 16843009
  npu.set_reg "WEIGHT_ADDR" = 256
  npu.set_reg "BIAS_ADDR" = 1024
  npu.set_reg "SCALE_ADDR" = 1088
  npu.set_reg "ACT" = 8355840
  npu.set_reg "WEIGHT_FMT" = 2
  npu.set_reg "WEIGHT_TILES" = 5
  npu.conv {signal = 2 : i32, wait = 1 : i32}
  npu.dma_store region 3 offset 0 sram 1280 bytes 128 rows 1 stride 0 {wait = 2 : i32}
  npu.end
}
