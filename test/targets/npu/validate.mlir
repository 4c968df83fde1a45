// Streams the device rejects: npu-roundtrip reports the rule the runtime's
// validator names (docs/npu-spec.md §4), and the dialect's verifier catches
// what is not a stream at all.
// RUN: edgec-opt %s --npu-roundtrip -split-input-file -verify-diagnostics

// The convolution does not wait for the load of its input.
// expected-error @+1 {{the device rejects the stream: SYN-2: word}}
npu.stream @race n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096] flags = [1] {
  npu.dma_load region 0 offset 0 sram 0 bytes 16 rows 1 stride 0
  npu.set_reg "IFM_ADDR" = 0
  npu.set_reg "IFM_C" = 16
  npu.set_reg "IFM_ZP" = 0
  npu.set_reg "OFM_ADDR" = 1024
  npu.set_reg "OFM_C" = 16
  npu.set_reg "OFM_ZP" = 0
  npu.set_reg "WEIGHT_ADDR" = 256
  npu.set_reg "BIAS_ADDR" = 2048
  npu.set_reg "SCALE_ADDR" = 2304
  npu.set_reg "ACT" = 8355840
  npu.fc
  npu.end
}

// -----

// expected-error @+1 {{the device rejects the stream: REG-1: word 27: FC reads ACT, which is not set}}
npu.stream @unset n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096] flags = [1] {
  npu.set_reg "IFM_ADDR" = 0
  npu.set_reg "IFM_C" = 16
  npu.set_reg "IFM_ZP" = 0
  npu.set_reg "OFM_ADDR" = 1024
  npu.set_reg "OFM_C" = 16
  npu.set_reg "OFM_ZP" = 0
  npu.set_reg "WEIGHT_ADDR" = 256
  npu.set_reg "BIAS_ADDR" = 2048
  npu.set_reg "SCALE_ADDR" = 2304
  npu.fc
  npu.end
}

// -----

// An FC of 16 to 16 at N = 8 has 4 tiles: compressed weights cannot store 5.
// expected-error @+1 {{the device rejects the stream: DIM-1: word 33: FC: WEIGHT_TILES 5, but the layer has 4 tiles}}
npu.stream @tiles n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096] flags = [1] {
  npu.set_reg "IFM_ADDR" = 0
  npu.set_reg "IFM_C" = 16
  npu.set_reg "IFM_ZP" = 0
  npu.set_reg "OFM_ADDR" = 1024
  npu.set_reg "OFM_C" = 16
  npu.set_reg "OFM_ZP" = 0
  npu.set_reg "WEIGHT_ADDR" = 256
  npu.set_reg "BIAS_ADDR" = 2048
  npu.set_reg "SCALE_ADDR" = 2304
  npu.set_reg "ACT" = 8355840
  npu.set_reg "WEIGHT_FMT" = 2
  npu.set_reg "WEIGHT_TILES" = 5
  npu.fc
  npu.end
}

// -----

// expected-error @+1 {{the device rejects the stream: ADR-4: word 9: DMA_STORE writes region 0, which is read-only}}
npu.stream @readonly n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096] flags = [1] {
  npu.dma_store region 0 offset 0 sram 0 bytes 16 rows 1 stride 0
  npu.end
}

// -----

// expected-error @+1 {{'npu.stream' op n must be 8, 16 or 32}}
npu.stream @array n = 12 sram = 65536 banks = 4 dma = 8 regions = [4096] flags = [1] {
  npu.end
}

// -----

npu.stream @register n = 8 sram = 65536 banks = 4 dma = 8 regions = [4096] flags = [1] {
  // expected-error @+1 {{'npu.set_reg' op unknown register 'IFM_Q'}}
  npu.set_reg "IFM_Q" = 1
  npu.end
}
