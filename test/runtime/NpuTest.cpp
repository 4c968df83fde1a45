// The ENPU validator and simulator (runtime/npu/, docs/npu-spec.md): every
// validator rule has a stream that breaks it (the test is named after the
// rule's id), and the simulator's outputs and counters are checked against
// values computed here independently.
#include "edgert_npu.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

const edgert_npu_config_t kNpu8 = {8, 64 * 1024, 4, 8};

// Writes streams word by word (spec §3).
struct Stream {
  std::vector<uint32_t> body;
  std::vector<std::pair<uint32_t, uint32_t>> regions = {
      {4096, 1}, {4096, 3}, {4096, 1}, {4096, 2}}; // weights, arena, in, out
  edgert_npu_config_t config = kNpu8;
  uint32_t version = 1u << 16 | 1; // 1.1

  Stream &reg(uint32_t r, uint32_t v) {
    body.push_back(0x01u << 24 | r);
    body.push_back(v);
    return *this;
  }
  Stream &op(uint32_t opcode, uint8_t wait = 0, uint8_t signal = 0,
             uint32_t sub = 0) {
    body.push_back(opcode << 24 | 1u << 20 | sub << 16 | uint32_t(wait) << 8 |
                   signal);
    return *this;
  }
  Stream &dma(bool load, uint32_t region, uint32_t offset, uint32_t sram,
              uint32_t rowBytes, uint32_t rows = 1, uint32_t stride = 0,
              uint8_t wait = 0, uint8_t signal = 0) {
    body.push_back((load ? 0x10u : 0x11u) << 24 | uint32_t(wait) << 8 | signal);
    for (uint32_t w : {region, offset, sram, rowBytes, rows, stride})
      body.push_back(w);
    return *this;
  }
  Stream &end() {
    body.push_back(0x7Fu << 24);
    return *this;
  }
  std::vector<uint32_t> build() const {
    std::vector<uint32_t> s = {EDGERT_NPU_MAGIC, version,
                               edgert_npu_descriptor0(&config),
                               config.sram_bytes, uint32_t(regions.size())};
    for (auto [size, flags] : regions) {
      s.push_back(size);
      s.push_back(flags);
    }
    s.push_back(uint32_t(body.size()));
    s.push_back(edgert_npu_crc32(0, body.data(), body.size() * 4));
    s.insert(s.end(), body.begin(), body.end());
    return s;
  }
};

struct Result {
  edgert_status_t status;
  edgert_npu_report_t report;
  size_t ops;
};

Result validate(const std::vector<uint32_t> &s,
                const edgert_npu_config_t &config = kNpu8) {
  std::vector<edgert_npu_op_t> ops(64);
  Result r;
  r.status = edgert_npu_validate(&config, s.data(), s.size(), ops.data(),
                                 ops.size(), &r.ops, &r.report);
  return r;
}

// Expects the stream to be rejected by `rule`, the message naming it.
void expectRule(const std::vector<uint32_t> &s, const char *rule) {
  Result r = validate(s);
  EXPECT_EQ(r.status, EDGERT_ERR_FORMAT) << rule;
  EXPECT_STREQ(r.report.rule, rule) << r.report.message;
  EXPECT_EQ(std::string(r.report.message).rfind(rule, 0), 0u)
      << r.report.message;
}

// A 3x3 convolution, 4x4x8 to 4x4x8 with padding 1, its operands in SRAM:
// input at 0, weights at 256, bias at 1024, scales at 1088, output at 1280.
Stream &convRegisters(Stream &s) {
  s.reg(EDGERT_NPU_IFM_ADDR, 0)
      .reg(EDGERT_NPU_IFM_H, 4)
      .reg(EDGERT_NPU_IFM_W, 4)
      .reg(EDGERT_NPU_IFM_C, 8)
      .reg(EDGERT_NPU_IFM_ZP, uint32_t(-3))
      .reg(EDGERT_NPU_OFM_ADDR, 1280)
      .reg(EDGERT_NPU_OFM_H, 4)
      .reg(EDGERT_NPU_OFM_W, 4)
      .reg(EDGERT_NPU_OFM_C, 8)
      .reg(EDGERT_NPU_OFM_ZP, 5)
      .reg(EDGERT_NPU_KERNEL, 3 | 3 << 8)
      .reg(EDGERT_NPU_STRIDE, 1 | 1 << 8)
      .reg(EDGERT_NPU_PAD, 0x01010101)
      .reg(EDGERT_NPU_WEIGHT_ADDR, 256)
      .reg(EDGERT_NPU_BIAS_ADDR, 1024)
      .reg(EDGERT_NPU_SCALE_ADDR, 1088)
      .reg(EDGERT_NPU_ACT, uint32_t(uint8_t(-128)) << 8 | 127u << 16);
  return s;
}

// The whole program: load input, weights, bias and scales; convolve; store.
Stream convProgram() {
  Stream s;
  s.dma(true, 2, 0, 0, 128);                 // input 4x4x8 from region 2
  s.dma(true, 0, 0, 256, 576);               // weights 8x3x3x8 from region 0
  s.dma(true, 0, 576, 1024, 32);             // bias
  s.dma(true, 0, 608, 1088, 64, 1, 0, 0, 1); // scales, then signal S0
  convRegisters(s);
  s.op(EDGERT_NPU_CONV, /*wait=*/1, /*signal=*/2);
  s.dma(false, 3, 0, 1280, 128, 1, 0, /*wait=*/2);
  s.end();
  return s;
}

TEST(Npu, ConvMatchesFloatReference) {
  Stream s = convProgram();
  std::vector<uint32_t> words = s.build();
  std::vector<int8_t> weights(4096), input(128), output(128, 0);
  for (size_t i = 0; i < 576; ++i)
    weights[i] = int8_t((i * 37) % 255 - 127);
  std::vector<int32_t> bias(8);
  std::vector<std::pair<uint32_t, int32_t>> scales(8);
  for (int c = 0; c < 8; ++c) {
    bias[c] = 100 * c - 350;
    // scale = m * 2^-s: about 2^-10 and 2^-11
    scales[c] = {(1u << 23) + 123457u * c, 33 + (c % 2)};
  }
  std::memcpy(weights.data() + 576, bias.data(), 32);
  for (int c = 0; c < 8; ++c) {
    std::memcpy(weights.data() + 608 + 8 * c, &scales[c].first, 4);
    std::memcpy(weights.data() + 612 + 8 * c, &scales[c].second, 4);
  }
  for (size_t i = 0; i < input.size(); ++i)
    input[i] = int8_t((i * 53) % 251 - 125);

  std::vector<uint8_t> sram(kNpu8.sram_bytes), arena(4096);
  edgert_npu_sim_t sim = {kNpu8, sram.data(), {0}};
  edgert_npu_region_t regions[4] = {{weights.data(), 4096},
                                    {arena.data(), 4096},
                                    {input.data(), 4096},
                                    {output.data(), 4096}};
  std::vector<int8_t> in4096(4096), out4096(4096);
  std::memcpy(in4096.data(), input.data(), 128);
  regions[2].base = in4096.data();
  regions[3].base = out4096.data();
  std::vector<edgert_npu_op_t> ops(64);
  edgert_npu_counters_t counters;
  edgert_npu_report_t report;
  ASSERT_EQ(edgert_npu_sim_run(&sim, words.data(), words.size(), regions, 4,
                               ops.data(), ops.size(), &counters, &report),
            EDGERT_OK)
      << report.message;

  // The reference: round_half_even(float(acc) * scale) + zp, clamped.
  for (int oy = 0; oy < 4; ++oy)
    for (int ox = 0; ox < 4; ++ox)
      for (int c = 0; c < 8; ++c) {
        int32_t acc = bias[c];
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx) {
            int iy = oy - 1 + ky, ix = ox - 1 + kx;
            if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4)
              continue;
            for (int k = 0; k < 8; ++k)
              acc += (input[(iy * 4 + ix) * 8 + k] + 3) *
                     weights[((c * 3 + ky) * 3 + kx) * 8 + k];
          }
        float scale = std::ldexp(float(scales[c].first), -scales[c].second);
        volatile float p = float(acc) * scale;
        long q = std::lrint(p) + 5; // default rounding: half to even
        q = q < -128 ? -128 : q > 127 ? 127 : q;
        EXPECT_EQ(out4096[(oy * 4 + ox) * 8 + c], q)
            << "at " << oy << "," << ox << "," << c << " acc " << acc;
      }

  // The outputs span the int8 range, not only its clamped ends.
  std::vector<bool> values(256);
  int distinct = 0;
  for (int i = 0; i < 128; ++i)
    if (!values[out4096[i] + 128]) {
      values[out4096[i] + 128] = true;
      ++distinct;
    }
  EXPECT_GE(distinct, 40);

  // Counters, by hand: MACs 4*4*8 * 3*3*8; DMA in 128+576+32+64, out 128;
  // SRAM peak 1280+128.
  EXPECT_EQ(counters.macs, 4u * 4 * 8 * 3 * 3 * 8);
  EXPECT_EQ(counters.dma_bytes_in, 800u);
  EXPECT_EQ(counters.dma_bytes_out, 128u);
  EXPECT_EQ(counters.sram_peak, 1408u);
  EXPECT_EQ(counters.operations, 6u);
  // Cycles: the loads take 16+16, 16+72, 16+4, 16+8 = 164 on queue 0; the
  // convolution waits for them, then takes 8 + 16*9*1*1 = 152 (N = 8):
  // 164..316; the store waits for it: 316 + 16 + 16 = 348.
  EXPECT_EQ(counters.queue_cycles[1], 316u);
  EXPECT_EQ(counters.stall_cycles[1], 164u);
  EXPECT_EQ(counters.cycles, 348u);
  EXPECT_EQ(counters.stall_cycles[0], 316u - 164u);
}

TEST(Npu, AcceptsTheConvProgram) {
  Result r = validate(convProgram().build());
  EXPECT_EQ(r.status, EDGERT_OK) << r.report.message;
  EXPECT_EQ(r.ops, 6u);
  EXPECT_STREQ(r.report.rule, "");
}

// ---- one failing stream per rule ----------------------------------------

TEST(NpuValidator, HDR_1_Magic) {
  auto s = convProgram().build();
  s[0] = 0x12345678;
  expectRule(s, "HDR-1");
}

TEST(NpuValidator, HDR_2_Version) {
  auto s = convProgram().build();
  s[1] = 2u << 16;
  expectRule(s, "HDR-2");
  s[1] = 1u << 16 | 2; // minor 2: newer than this device
  expectRule(s, "HDR-2");
}

TEST(NpuValidator, HDR_3_Descriptor) {
  Stream p = convProgram();
  p.config = {16, 256 * 1024, 8, 16};
  expectRule(p.build(), "HDR-3");
}

TEST(NpuValidator, HDR_4_Regions) {
  Stream p = convProgram();
  p.regions.clear();
  expectRule(p.build(), "HDR-4");
  p = convProgram();
  p.regions[1].second = 7; // a reserved flag bit
  expectRule(p.build(), "HDR-4");
}

TEST(NpuValidator, HDR_5_Length) {
  auto s = convProgram().build();
  s.pop_back(); // truncated
  expectRule(s, "HDR-5");
  s = convProgram().build();
  s.push_back(0); // trailing
  expectRule(s, "HDR-5");
  expectRule(std::vector<uint32_t>(s.begin(), s.begin() + 3), "HDR-5");
}

TEST(NpuValidator, HDR_6_Crc) {
  auto s = convProgram().build();
  s.back() ^= 1u << 30; // END's reserved bit flipped: caught by the CRC first
  expectRule(s, "HDR-6");
}

TEST(NpuValidator, CMD_1_UnknownOpcode) {
  Stream p;
  p.body.push_back(0x42u << 24);
  p.end();
  expectRule(p.build(), "CMD-1");
}

TEST(NpuValidator, CMD_2_ReservedBits) {
  Stream p;
  p.body.push_back(0x01u << 24 | 1u << 12 | EDGERT_NPU_IFM_H); // SET_REG
  p.body.push_back(4);
  p.end();
  expectRule(p.build(), "CMD-2");
  Stream q;
  q.dma(true, 0x10 | 1, 0, 0, 16).end(); // the region word's reserved bits
  expectRule(q.build(), "CMD-2");
}

TEST(NpuValidator, CMD_3_PayloadPastTheEnd) {
  Stream p;
  p.body.push_back(0x10u << 24); // DMA_LOAD with 2 of its 6 payload words
  p.body.push_back(0);
  p.body.push_back(0);
  expectRule(p.build(), "CMD-3");
}

TEST(NpuValidator, CMD_4_Queue) {
  Stream p;
  p.body.push_back(0x10u << 24 | 1u << 20); // a DMA on the compute queue
  for (uint32_t w : {0u, 0u, 0u, 16u, 1u, 0u})
    p.body.push_back(w);
  p.end();
  expectRule(p.build(), "CMD-4");
}

TEST(NpuValidator, CMD_5_End) {
  Stream p;
  p.reg(EDGERT_NPU_IFM_H, 4);
  expectRule(p.build(), "CMD-5");
  p.end().end();
  expectRule(p.build(), "CMD-5");
}

TEST(NpuValidator, REG_1_UsedBeforeSet) {
  Stream p;
  convRegisters(p);
  p.body.erase(p.body.begin() + 2 * EDGERT_NPU_PAD,
               p.body.begin() + 2 * EDGERT_NPU_PAD + 2);
  p.op(EDGERT_NPU_CONV).end();
  Result r = validate(p.build());
  EXPECT_STREQ(r.report.rule, "REG-1");
  EXPECT_NE(std::string(r.report.message).find("PAD"), std::string::npos)
      << r.report.message;
}

TEST(NpuValidator, REG_2_UnknownRegister) {
  Stream p;
  p.reg(99, 1).end();
  expectRule(p.build(), "REG-2");
  // WEIGHT_FMT is a register of version 1.1: a 1.0 stream cannot name it.
  Stream q;
  q.version = 1u << 16;
  q.reg(EDGERT_NPU_WEIGHT_FMT, 1).end();
  expectRule(q.build(), "REG-2");
  q.version = 1u << 16 | 1;
  EXPECT_EQ(validate(q.build()).status, EDGERT_OK);
}

TEST(NpuValidator, REG_1_CompressedWeightsNeedTheirTileCount) {
  Stream p;
  convRegisters(p)
      .reg(EDGERT_NPU_WEIGHT_FMT, EDGERT_NPU_WEIGHTS_COMPRESSED)
      .op(EDGERT_NPU_CONV)
      .end();
  Result r = validate(p.build());
  EXPECT_STREQ(r.report.rule, "REG-1");
  EXPECT_NE(std::string(r.report.message).find("WEIGHT_TILES"),
            std::string::npos)
      << r.report.message;
}

TEST(NpuValidator, DIM_1_Ranges) {
  auto with = [](uint32_t r, uint32_t v) {
    Stream p;
    convRegisters(p).reg(r, v).op(EDGERT_NPU_CONV).end();
    return p.build();
  };
  expectRule(with(EDGERT_NPU_IFM_C, 0), "DIM-1");
  expectRule(with(EDGERT_NPU_IFM_C, 5000), "DIM-1");
  expectRule(with(EDGERT_NPU_IFM_ZP, 200), "DIM-1");
  expectRule(with(EDGERT_NPU_KERNEL, 16 | 3 << 8), "DIM-1");
  expectRule(with(EDGERT_NPU_STRIDE, 5 | 1 << 8), "DIM-1");
  expectRule(with(EDGERT_NPU_PAD, 0x03030303), "DIM-1"); // pad = kernel
  expectRule(with(EDGERT_NPU_ACT, 127u << 8 | 0u << 16), "DIM-1"); // min > max
  expectRule(with(EDGERT_NPU_WEIGHT_FMT, 3), "DIM-1");
  {
    // 9 tiles (3x3 kernel, 8 in, 8 out at N = 8: 72 columns, one row
    // group): 10 stored is too many.
    Stream p;
    convRegisters(p)
        .reg(EDGERT_NPU_WEIGHT_FMT, EDGERT_NPU_WEIGHTS_COMPRESSED)
        .reg(EDGERT_NPU_WEIGHT_TILES, 10)
        .op(EDGERT_NPU_CONV)
        .end();
    expectRule(p.build(), "DIM-1");
  }
  Stream d;
  d.dma(true, 0, 0, 0, 0).end(); // a zero-byte row
  expectRule(d.build(), "DIM-1");
}

TEST(NpuValidator, DIM_2_Shapes) {
  Stream p;
  convRegisters(p).reg(EDGERT_NPU_OFM_H, 5).op(EDGERT_NPU_CONV).end();
  expectRule(p.build(), "DIM-2");
  Stream q;
  convRegisters(q).reg(EDGERT_NPU_OFM_C, 4).op(EDGERT_NPU_DWCONV).end();
  expectRule(q.build(), "DIM-2");
}

TEST(NpuValidator, ADR_1_Alignment) {
  Stream p;
  convRegisters(p).reg(EDGERT_NPU_WEIGHT_ADDR, 260).op(EDGERT_NPU_CONV).end();
  expectRule(p.build(), "ADR-1");
}

TEST(NpuValidator, ADR_2_OutsideSram) {
  Stream p;
  convRegisters(p)
      .reg(EDGERT_NPU_OFM_ADDR, 64 * 1024 - 64)
      .op(EDGERT_NPU_CONV)
      .end();
  expectRule(p.build(), "ADR-2");
}

TEST(NpuValidator, ADR_3_OutsideRegion) {
  Stream p;
  p.dma(true, 2, 4000, 0, 128).end();
  expectRule(p.build(), "ADR-3");
  Stream q;
  q.dma(true, 9, 0, 0, 16).end(); // no region 9
  expectRule(q.build(), "ADR-3");
  Stream r; // rows with a stride past the end
  r.dma(true, 2, 0, 0, 16, 4, 2000).end();
  expectRule(r.build(), "ADR-3");
}

TEST(NpuValidator, ADR_4_ReadOnlyRegion) {
  Stream p;
  p.dma(false, 0, 0, 0, 16).end(); // a store into the weights
  expectRule(p.build(), "ADR-4");
}

TEST(NpuValidator, ADR_5_UnreadableRegion) {
  Stream p;
  p.dma(true, 3, 0, 0, 16).end(); // a load from the (write-only) outputs
  expectRule(p.build(), "ADR-5");
}

TEST(NpuValidator, ADR_6_OutputOverlapsInput) {
  Stream p;
  convRegisters(p).reg(EDGERT_NPU_OFM_ADDR, 64).op(EDGERT_NPU_CONV).end();
  expectRule(p.build(), "ADR-6");
}

TEST(NpuValidator, SYN_1_WaitNeverSatisfied) {
  Stream p;
  convRegisters(p).op(EDGERT_NPU_CONV, /*wait=*/1).end(); // no one signals S0
  expectRule(p.build(), "SYN-1");
  // A deadlock: the store waits for the conv, the conv for a later load.
  Stream q;
  convRegisters(q).op(EDGERT_NPU_CONV, 1, 2);
  q.dma(false, 3, 0, 1280, 16, 1, 0, 2, 0);
  q.dma(true, 2, 0, 0, 16, 1, 0, 0, 1);
  q.end();
  expectRule(q.build(), "SYN-1");
}

TEST(NpuValidator, SYN_2_SramRace) {
  // The convolution does not wait for the input's load: both may run at
  // once on the input's bytes.
  Stream p;
  p.dma(true, 2, 0, 0, 128);
  convRegisters(p).op(EDGERT_NPU_CONV).end();
  expectRule(p.build(), "SYN-2");
  // Ordered by a semaphore: accepted.
  Stream q;
  q.dma(true, 2, 0, 0, 128, 1, 0, 0, 1);
  convRegisters(q).op(EDGERT_NPU_CONV, 1).end();
  EXPECT_EQ(validate(q.build()).status, EDGERT_OK);
  // A load into the output's bytes while the conv may still write them.
  Stream r;
  convRegisters(r).op(EDGERT_NPU_CONV, 0, 0);
  r.dma(true, 2, 0, 1280, 16).end();
  expectRule(r.build(), "SYN-2");
}

TEST(NpuValidator, SYN_3_SemaphoreDirection) {
  Stream p;
  p.dma(true, 2, 0, 0, 16, 1, 0, 0, 1);
  p.dma(true, 2, 0, 16, 16, 1, 0, 1, 0); // queue 0 waits on its own S0
  p.end();
  expectRule(p.build(), "SYN-3");
}

TEST(NpuSim, RejectsSmallRegionsAndBadScales) {
  Stream s = convProgram();
  auto words = s.build();
  std::vector<uint8_t> sram(kNpu8.sram_bytes), buf(4096);
  edgert_npu_sim_t sim = {kNpu8, sram.data(), {0}};
  edgert_npu_region_t regions[4] = {{buf.data(), 4096},
                                    {buf.data(), 100},
                                    {buf.data(), 4096},
                                    {buf.data(), 4096}};
  std::vector<edgert_npu_op_t> ops(64);
  edgert_npu_report_t report;
  EXPECT_EQ(edgert_npu_sim_run(&sim, words.data(), words.size(), regions, 4,
                               ops.data(), ops.size(), nullptr, &report),
            EDGERT_ERR_ARENA_SIZE);
  regions[1].size = 4096;
  // Zero weights, bias and scales: the scale multiplier 0 is allowed;
  // a multiplier of 5 (below 2^23) is a RUN-1 fault.
  uint32_t bad = 5;
  std::memcpy(buf.data() + 608, &bad, 4);
  EXPECT_EQ(edgert_npu_sim_run(&sim, words.data(), words.size(), regions, 4,
                               ops.data(), ops.size(), nullptr, &report),
            EDGERT_ERR_BAD_MODEL);
  EXPECT_STREQ(report.rule, "RUN-1");
  // Too small a workspace.
  EXPECT_EQ(edgert_npu_sim_run(&sim, words.data(), words.size(), regions, 4,
                               ops.data(), 2, nullptr, &report),
            EDGERT_ERR_UNSUPPORTED);
}

TEST(NpuSim, EltwiseAndPoolAgainstReference) {
  // 2x2x16 int8: add (float-compatible, two scales) then 2x2 max pool.
  Stream p;
  p.dma(true, 2, 0, 0, 64).dma(true, 2, 64, 64, 64, 1, 0, 0, 1);
  p.reg(EDGERT_NPU_IFM_ADDR, 0)
      .reg(EDGERT_NPU_IFM_H, 2)
      .reg(EDGERT_NPU_IFM_W, 2)
      .reg(EDGERT_NPU_IFM_C, 16)
      .reg(EDGERT_NPU_IFM_ZP, 1)
      .reg(EDGERT_NPU_IFM2_ADDR, 64)
      .reg(EDGERT_NPU_IFM2_ZP, uint32_t(-2))
      .reg(EDGERT_NPU_OFM_ADDR, 128)
      .reg(EDGERT_NPU_OFM_H, 2)
      .reg(EDGERT_NPU_OFM_W, 2)
      .reg(EDGERT_NPU_OFM_C, 16)
      .reg(EDGERT_NPU_OFM_ZP, 3)
      .reg(EDGERT_NPU_ACT, uint32_t(uint8_t(-100)) << 8 | 100u << 16)
      .reg(EDGERT_NPU_ELT_M1, 0xC00000) // 0.75 = 0xC00000 * 2^-24
      .reg(EDGERT_NPU_ELT_S1, 24)
      .reg(EDGERT_NPU_ELT_M2, 0xA00000) // 0.3125
      .reg(EDGERT_NPU_ELT_S2, 25);
  p.op(EDGERT_NPU_ELTWISE, 1, 0, /*add*/ 0);
  p.reg(EDGERT_NPU_IFM_ADDR, 128)
      .reg(EDGERT_NPU_OFM_ADDR, 192)
      .reg(EDGERT_NPU_OFM_H, 1)
      .reg(EDGERT_NPU_OFM_W, 1)
      .reg(EDGERT_NPU_KERNEL, 2 | 2 << 8)
      .reg(EDGERT_NPU_STRIDE, 1 | 1 << 8)
      .reg(EDGERT_NPU_PAD, 0);
  p.op(EDGERT_NPU_POOL, 0, 2, /*max*/ 0);
  p.dma(false, 3, 0, 128, 80, 1, 0, 2, 0); // the sum and the pooled row
  p.end();
  auto words = p.build();
  std::vector<int8_t> in(4096), out(4096);
  for (int i = 0; i < 128; ++i)
    in[i] = int8_t((i * 71) % 256 - 128);
  std::vector<uint8_t> sram(kNpu8.sram_bytes);
  edgert_npu_sim_t sim = {kNpu8, sram.data(), {0}};
  edgert_npu_region_t regions[4] = {{in.data(), 4096},
                                    {in.data(), 4096},
                                    {in.data(), 4096},
                                    {out.data(), 4096}};
  std::vector<edgert_npu_op_t> ops(64);
  edgert_npu_report_t report;
  edgert_npu_counters_t counters;
  ASSERT_EQ(edgert_npu_sim_run(&sim, words.data(), words.size(), regions, 4,
                               ops.data(), ops.size(), &counters, &report),
            EDGERT_OK)
      << report.message;
  int8_t sum[64];
  for (int i = 0; i < 64; ++i) {
    volatile float v1 = float(in[i] - 1) * 0.75f;
    volatile float v2 = float(in[64 + i] + 2) * 0.3125f;
    volatile float s = v1 + v2;
    long q = std::lrint(s) + 3;
    sum[i] = int8_t(q < -100 ? -100 : q > 100 ? 100 : q);
    EXPECT_EQ(out[i], sum[i]) << i;
  }
  for (int c = 0; c < 16; ++c) {
    int8_t m = std::max(std::max(sum[c], sum[16 + c]),
                        std::max(sum[32 + c], sum[48 + c]));
    EXPECT_EQ(out[64 + c], m) << c;
  }
  EXPECT_EQ(counters.macs, 0u);
}

// ---- weights in N x N tiles (spec §2.4) -------------------------------------

// A 3x3 convolution of 12 channels to 20, 6x6, padding 1, with whole 8x8
// tiles of weights zero, run with its weights as rows, as tiles and as
// compressed tiles: all three against one reference computed here. The
// tiles cut the 20 x 108 matrix (k = (ky * 3 + kx) * 12 + ic) in 8 x 8.
struct TiledConv {
  static constexpr int H = 6, IC = 12, OC = 20, K = 3, N = 8;
  static constexpr int KK = K * K * IC;               // 108
  static constexpr int GK = (KK + N - 1) / N, GO = 3; // 14 and 3
  static constexpr int T = GO * GK;                   // 42 tiles
  std::vector<int8_t> w;                              // [OC][K][K][IC]
  std::vector<int8_t> input;
  std::vector<int32_t> bias;
  std::vector<std::pair<uint32_t, int32_t>> scales;
  TiledConv() : w(OC * K * K * IC), input(H * H * IC), bias(OC), scales(OC) {
    for (int o = 0; o < OC; ++o)
      for (int y = 0; y < K; ++y)
        for (int x = 0; x < K; ++x)
          for (int i = 0; i < IC; ++i) {
            int tile = o / N * GK + ((y * K + x) * IC + i) / N;
            // About a third of the tiles zero.
            bool zero = (tile * 7) % 3 == 0;
            w[((o * K + y) * K + x) * IC + i] =
                zero ? 0
                     : int8_t((o * 31 + y * 7 + x * 3 + i * 13) % 251 - 125);
          }
    for (size_t i = 0; i < input.size(); ++i)
      input[i] = int8_t((i * 53) % 251 - 125);
    for (int c = 0; c < OC; ++c) {
      bias[c] = 97 * c - 900;
      scales[c] = {(1u << 23) + 234567u * (c % 7), 35 + (c % 3)};
    }
  }
  bool zeroTile(int t) const { return (t * 7) % 3 == 0; }
  int storedTiles() const {
    int n = 0;
    for (int t = 0; t < T; ++t)
      n += !zeroTile(t);
    return n;
  }
  // The weight operand in `format`.
  std::vector<int8_t> encode(uint32_t format) const {
    if (format == EDGERT_NPU_WEIGHTS_ROWS)
      return w;
    std::vector<int8_t> out;
    if (format == EDGERT_NPU_WEIGHTS_COMPRESSED) {
      out.resize(16, 0); // 42 bits in one 16-byte-aligned bitmap
      for (int t = 0; t < T; ++t)
        if (!zeroTile(t))
          out[t / 8] = int8_t(uint8_t(out[t / 8]) | 1u << (t % 8));
    }
    for (int g = 0; g < GO; ++g)
      for (int kg = 0; kg < GK; ++kg) {
        int t = g * GK + kg;
        if (format == EDGERT_NPU_WEIGHTS_COMPRESSED && zeroTile(t))
          continue;
        for (int r = 0; r < N; ++r)
          for (int c = 0; c < N; ++c) {
            int o = g * N + r, k = kg * N + c;
            // Past OC or K: ignored; write a marker, not zero.
            out.push_back(o < OC && k < KK ? w[o * KK + k] : int8_t(77));
          }
      }
    return out;
  }
  int8_t reference(int oy, int ox, int c) const {
    int32_t acc = bias[c];
    for (int y = 0; y < K; ++y)
      for (int x = 0; x < K; ++x) {
        int iy = oy - 1 + y, ix = ox - 1 + x;
        if (iy < 0 || iy >= H || ix < 0 || ix >= H)
          continue;
        for (int i = 0; i < IC; ++i)
          acc += (input[(iy * H + ix) * IC + i] - 4) *
                 w[((c * K + y) * K + x) * IC + i];
      }
    float scale = std::ldexp(float(scales[c].first), -scales[c].second);
    volatile float p = float(acc) * scale;
    long q = std::lrint(p) - 6;
    return int8_t(q < -128 ? -128 : q > 127 ? 127 : q);
  }
  // Loads everything, convolves with WEIGHT_FMT `format`, stores.
  Stream program(uint32_t format, uint32_t weightBytes) const {
    Stream s;
    s.regions = {{8192, 1}, {4096, 3}, {4096, 1}, {4096, 2}};
    s.dma(true, 2, 0, 0, H * H * IC)
        .dma(true, 0, 0, 2048, weightBytes)
        .dma(true, 0, 6144, 8192, 4 * OC)
        .dma(true, 0, 6400, 8320, 8 * OC, 1, 0, 0, 1);
    s.reg(EDGERT_NPU_IFM_ADDR, 0)
        .reg(EDGERT_NPU_IFM_H, H)
        .reg(EDGERT_NPU_IFM_W, H)
        .reg(EDGERT_NPU_IFM_C, IC)
        .reg(EDGERT_NPU_IFM_ZP, 4)
        .reg(EDGERT_NPU_OFM_ADDR, 512)
        .reg(EDGERT_NPU_OFM_H, H)
        .reg(EDGERT_NPU_OFM_W, H)
        .reg(EDGERT_NPU_OFM_C, OC)
        .reg(EDGERT_NPU_OFM_ZP, uint32_t(-6))
        .reg(EDGERT_NPU_KERNEL, K | K << 8)
        .reg(EDGERT_NPU_STRIDE, 1 | 1 << 8)
        .reg(EDGERT_NPU_PAD, 0x01010101)
        .reg(EDGERT_NPU_WEIGHT_ADDR, 2048)
        .reg(EDGERT_NPU_BIAS_ADDR, 8192)
        .reg(EDGERT_NPU_SCALE_ADDR, 8320)
        .reg(EDGERT_NPU_ACT, uint32_t(uint8_t(-128)) << 8 | 127u << 16);
    if (format != EDGERT_NPU_WEIGHTS_ROWS)
      s.reg(EDGERT_NPU_WEIGHT_FMT, format);
    if (format == EDGERT_NPU_WEIGHTS_COMPRESSED)
      s.reg(EDGERT_NPU_WEIGHT_TILES, uint32_t(storedTiles()));
    s.op(EDGERT_NPU_CONV, 1, 2);
    s.dma(false, 3, 0, 512, H * H * OC, 1, 0, 2);
    s.end();
    return s;
  }
  // Runs `format`; returns the status, fills out and counters.
  edgert_status_t run(uint32_t format, std::vector<int8_t> &out,
                      edgert_npu_counters_t &counters,
                      edgert_npu_report_t &report,
                      std::vector<int8_t> *weightsOverride = nullptr) const {
    std::vector<int8_t> wbytes =
        weightsOverride ? *weightsOverride : encode(format);
    std::vector<int8_t> constants(8192, 0), in(4096, 0);
    std::copy(wbytes.begin(), wbytes.end(), constants.begin());
    std::memcpy(constants.data() + 6144, bias.data(), 4 * OC);
    for (int c = 0; c < OC; ++c) {
      std::memcpy(constants.data() + 6400 + 8 * c, &scales[c].first, 4);
      std::memcpy(constants.data() + 6404 + 8 * c, &scales[c].second, 4);
    }
    std::copy(input.begin(), input.end(), in.begin());
    out.assign(4096, 0);
    std::vector<uint32_t> words =
        program(format, uint32_t(wbytes.size())).build();
    std::vector<uint8_t> sram(kNpu8.sram_bytes), arena(4096);
    edgert_npu_sim_t sim = {kNpu8, sram.data(), {0}};
    edgert_npu_region_t regions[4] = {{constants.data(), 8192},
                                      {arena.data(), 4096},
                                      {in.data(), 4096},
                                      {out.data(), 4096}};
    std::vector<edgert_npu_op_t> ops(64);
    return edgert_npu_sim_run(&sim, words.data(), words.size(), regions, 4,
                              ops.data(), ops.size(), &counters, &report);
  }
};

TEST(NpuSim, TiledAndCompressedWeightsAgainstReference) {
  TiledConv conv;
  ASSERT_EQ(conv.encode(EDGERT_NPU_WEIGHTS_TILES).size(), 42u * 64);
  ASSERT_EQ(conv.storedTiles(), 28);
  ASSERT_EQ(conv.encode(EDGERT_NPU_WEIGHTS_COMPRESSED).size(), 16u + 28 * 64);
  uint64_t cycles[3] = {0, 0, 0}, conv_cycles[3] = {0, 0, 0};
  for (uint32_t format : {EDGERT_NPU_WEIGHTS_ROWS, EDGERT_NPU_WEIGHTS_TILES,
                          EDGERT_NPU_WEIGHTS_COMPRESSED}) {
    std::vector<int8_t> out;
    edgert_npu_counters_t counters;
    edgert_npu_report_t report;
    ASSERT_EQ(conv.run(format, out, counters, report), EDGERT_OK)
        << format << ": " << report.message;
    int distinct = 0;
    std::vector<bool> seen(256);
    for (int y = 0; y < TiledConv::H; ++y)
      for (int x = 0; x < TiledConv::H; ++x)
        for (int c = 0; c < TiledConv::OC; ++c) {
          int8_t v = out[(y * TiledConv::H + x) * TiledConv::OC + c];
          ASSERT_EQ(v, conv.reference(y, x, c))
              << "format " << format << " at " << y << "," << x << "," << c;
          if (!seen[v + 128]) {
            seen[v + 128] = true;
            ++distinct;
          }
        }
    EXPECT_GE(distinct, 30);
    EXPECT_EQ(counters.macs, 36u * 20 * 9 * 12); // the layer's, any format
    cycles[format] = counters.cycles;
    // The convolution starts after the last load and ends where the
    // compute queue's clock stops.
    conv_cycles[format] = counters.queue_cycles[1] - counters.stall_cycles[1];
  }
  // By hand, per output position: rows take a tile per kernel position
  // and channel group pair (9 x 2 x 3 = 54), tiles cover the whole window
  // (42), compressed only the 28 nonzero ones.
  EXPECT_EQ(conv_cycles[0], 8u + 36 * 54);
  EXPECT_EQ(conv_cycles[1], 8u + 36 * 42);
  EXPECT_EQ(conv_cycles[2], 8u + 36 * 28);
  EXPECT_LT(cycles[2], cycles[1]);
  EXPECT_LT(cycles[1], cycles[0]);
}

TEST(NpuSim, RUN_2_WeightBitmap) {
  TiledConv conv;
  std::vector<int8_t> out;
  edgert_npu_counters_t counters;
  edgert_npu_report_t report;
  // One more bit than WEIGHT_TILES says.
  std::vector<int8_t> w = conv.encode(EDGERT_NPU_WEIGHTS_COMPRESSED);
  ASSERT_FALSE(uint8_t(w[0]) & 1); // tile 0 is a zero tile
  w[0] = int8_t(uint8_t(w[0]) | 1);
  EXPECT_EQ(conv.run(EDGERT_NPU_WEIGHTS_COMPRESSED, out, counters, report, &w),
            EDGERT_ERR_BAD_MODEL);
  EXPECT_STREQ(report.rule, "RUN-2");
  EXPECT_NE(std::string(report.message).find("WEIGHT_TILES says 28"),
            std::string::npos)
      << report.message;
  // A bit past the layer's 42 tiles.
  w = conv.encode(EDGERT_NPU_WEIGHTS_COMPRESSED);
  w[6] = int8_t(uint8_t(w[6]) | 0x80);  // bit 55
  w[1] = int8_t(uint8_t(w[1]) & ~0x04); // drop tile 10's: the count holds
  ASSERT_FALSE(conv.zeroTile(10));
  EXPECT_EQ(conv.run(EDGERT_NPU_WEIGHTS_COMPRESSED, out, counters, report, &w),
            EDGERT_ERR_BAD_MODEL);
  EXPECT_STREQ(report.rule, "RUN-2");
  EXPECT_NE(std::string(report.message).find("bit 55"), std::string::npos)
      << report.message;
}

} // namespace

namespace {

// A device of the application's: records what it is given.
struct FakeDevice {
  int inits = 0, submits = 0, waits = 0;
  size_t words = 0;
  int32_t regions = 0;
};

TEST(NpuDriver, ApplicationDevice) {
  FakeDevice dev;
  edgert_npu_driver_t d = {};
  d.device = &dev;
  d.init = [](void *p) {
    ++static_cast<FakeDevice *>(p)->inits;
    return EDGERT_OK;
  };
  d.submit = [](void *p, const uint32_t *, size_t words,
                const edgert_npu_region_t *, int32_t regions) {
    auto *f = static_cast<FakeDevice *>(p);
    ++f->submits;
    f->words = words;
    f->regions = regions;
    return EDGERT_OK;
  };
  d.wait = [](void *p, edgert_npu_counters_t *c, edgert_npu_report_t *) {
    ++static_cast<FakeDevice *>(p)->waits;
    if (c)
      c->cycles = 42;
    return EDGERT_OK;
  };
  EXPECT_EQ(edgert_npu_run(nullptr, 0, nullptr, 0, nullptr, nullptr),
            EDGERT_ERR_UNSUPPORTED); // no driver yet
  ASSERT_EQ(edgert_npu_set_driver(&d), EDGERT_OK);
  EXPECT_EQ(dev.inits, 1);
  uint32_t words[3] = {};
  edgert_npu_region_t r[2] = {};
  edgert_npu_counters_t c = {};
  EXPECT_EQ(edgert_npu_run(words, 3, r, 2, &c, nullptr), EDGERT_OK);
  EXPECT_EQ(dev.submits, 1);
  EXPECT_EQ(dev.waits, 1);
  EXPECT_EQ(dev.words, 3u);
  EXPECT_EQ(dev.regions, 2);
  EXPECT_EQ(c.cycles, 42u);
  d.wait = nullptr;
  EXPECT_EQ(edgert_npu_set_driver(&d), EDGERT_ERR_NULL_ARGUMENT);
  edgert_npu_set_driver(nullptr);
}

TEST(NpuDriver, SimulatorDevice) {
  std::vector<uint8_t> sram(kNpu8.sram_bytes);
  std::vector<edgert_npu_op_t> ops(64);
  edgert_npu_sim_device_t dev = {};
  dev.sim = {kNpu8, sram.data(), {0}};
  dev.ops = ops.data();
  dev.max_ops = ops.size();
  edgert_npu_driver_t d;
  edgert_npu_sim_driver(&dev, &d);
  ASSERT_EQ(edgert_npu_set_driver(&d), EDGERT_OK);
  auto words = convProgram().build();
  std::vector<uint8_t> buf(4096);
  edgert_npu_region_t r[4] = {{buf.data(), 4096},
                              {buf.data(), 4096},
                              {buf.data(), 4096},
                              {buf.data(), 4096}};
  edgert_npu_counters_t c;
  edgert_npu_report_t report;
  EXPECT_EQ(edgert_npu_run(words.data(), words.size(), r, 4, &c, &report),
            EDGERT_OK)
      << report.message;
  EXPECT_EQ(c.cycles, 348u);
  words[0] = 0; // rejected: the status and the rule come back from wait
  EXPECT_EQ(edgert_npu_run(words.data(), words.size(), r, 4, &c, &report),
            EDGERT_ERR_FORMAT);
  EXPECT_STREQ(report.rule, "HDR-1");
  edgert_npu_set_driver(nullptr);
}

} // namespace
