/* npu_sim.c - the ENPU simulator: runs a validated stream (docs/npu-spec.md
 * §2 for the arithmetic, §5 for the timing) on an SRAM in caller memory.
 *
 * The output stage is float-compatible by definition, so it is computed
 * with IEEE single precision: the scale m·2^-s built from its bits (no
 * libm), one multiplication, and rounding half to even by adding and
 * subtracting 1.5·2^23. Every intermediate goes through a volatile float,
 * so that no compiler contracts the steps into a fused multiply-add. */
#include "npu_internal.h"

#include <string.h>

typedef struct sim_ctx {
  edgert_npu_sim_t *sim;
  const edgert_npu_region_t *regions;
  edgert_npu_counters_t *counters;
} sim_ctx_t;

/* m·2^-s as a float (m in [2^23, 2^24) or 0, s in [-104, 149]). */
static float scale_of(uint32_t m, int32_t s) {
  uint32_t bits;
  float f;
  if (m == 0)
    return 0.0f;
  bits = (uint32_t)(127 + 23 - s) << 23 | (m & 0x7FFFFFu);
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* Round half to even to an integer, as int32 (saturated: the result is
 * clamped to int8 after). */
static int32_t round_even(float p) {
  volatile float t;
  if (p >= 4194304.0f)
    return p >= 2147483520.0f ? INT32_MAX : (int32_t)p;
  if (p <= -4194304.0f)
    return p <= -2147483648.0f ? INT32_MIN : (int32_t)p;
  t = p + 12582912.0f;
  t = t - 12582912.0f;
  return (int32_t)t;
}

static int8_t activate(const edgert_npu_sim_t *sim, uint32_t act, int32_t y) {
  int32_t lo = (int8_t)(act >> 8 & 0xFF), hi = (int8_t)(act >> 16 & 0xFF);
  if ((act & 3) == 1) {
    y = y < -128 ? -128 : y > 127 ? 127 : y;
    return sim->lut[y + 128];
  }
  return (int8_t)(y < lo ? lo : y > hi ? hi : y);
}

/* Steps 1-4 of the output stage (spec §2.2). */
static int8_t output_stage(const edgert_npu_sim_t *sim, int32_t acc, float scale,
                           int32_t zp, uint32_t act) {
  volatile float a = (float)acc, p;
  int64_t y;
  p = a * scale;
  y = (int64_t)round_even(p) + zp;
  if (y > INT32_MAX)
    y = INT32_MAX;
  if (y < INT32_MIN)
    y = INT32_MIN;
  return activate(sim, act, (int32_t)y);
}

static uint32_t load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* The scale of channel c from the scale table (RUN-1 when out of range). */
static int channel_scale(const edgert_npu_sim_t *sim, const edgert_npu_op_t *op,
                         uint32_t c, float *out, edgert_npu_report_t *report) {
  const uint8_t *e = sim->sram + op->regs[EDGERT_NPU_SCALE_ADDR] + 8 * c;
  uint32_t m = load_u32(e);
  int32_t s = (int32_t)load_u32(e + 4);
  if (!(m == 0 || (m >= (1u << 23) && m < (1u << 24))) || s < -104 ||
      s > 149)
    return npu_fail(report, "RUN-1", op->word,
                    "%s: channel %u's scale (%u, %d) is out of range",
                    npu_opcode_name(op->opcode), (unsigned)c, (unsigned)m,
                    (int)s);
  *out = scale_of(m, s);
  return 1;
}

/* The shapes of a CONV, DWCONV or FC (a 1 x 1 image, a 1 x 1 window). */
typedef struct window {
  int32_t ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, pt, pl, zp, ozp;
} window_t;

static window_t window_of(const edgert_npu_op_t *op) {
  const uint32_t *g = op->regs;
  int fc = op->opcode == EDGERT_NPU_FC;
  window_t m;
  m.ih = fc ? 1 : (int32_t)g[EDGERT_NPU_IFM_H];
  m.iw = fc ? 1 : (int32_t)g[EDGERT_NPU_IFM_W];
  m.ic = (int32_t)g[EDGERT_NPU_IFM_C];
  m.oh = fc ? 1 : (int32_t)g[EDGERT_NPU_OFM_H];
  m.ow = fc ? 1 : (int32_t)g[EDGERT_NPU_OFM_W];
  m.oc = (int32_t)g[EDGERT_NPU_OFM_C];
  m.kh = fc ? 1 : (int32_t)(g[EDGERT_NPU_KERNEL] & 0xFF);
  m.kw = fc ? 1 : (int32_t)(g[EDGERT_NPU_KERNEL] >> 8 & 0xFF);
  m.sh = fc ? 1 : (int32_t)(g[EDGERT_NPU_STRIDE] & 0xFF);
  m.sw = fc ? 1 : (int32_t)(g[EDGERT_NPU_STRIDE] >> 8 & 0xFF);
  m.pt = fc ? 0 : (int32_t)(g[EDGERT_NPU_PAD] & 0xFF);
  m.pl = fc ? 0 : (int32_t)(g[EDGERT_NPU_PAD] >> 8 & 0xFF);
  m.zp = (int32_t)g[EDGERT_NPU_IFM_ZP];
  m.ozp = (int32_t)g[EDGERT_NPU_OFM_ZP];
  return m;
}

/* RUN-2: the bitmap of compressed weights sets WEIGHT_TILES bits, none past
 * the layer's tiles. */
static int check_bitmap(const edgert_npu_sim_t *sim, const edgert_npu_op_t *op,
                        edgert_npu_report_t *report) {
  uint64_t tiles = npu_weight_tiles(sim->config.n, op), set = 0, t;
  uint64_t bytes = ((tiles + 7) / 8 + 15) / 16 * 16;
  const uint8_t *bits = sim->sram + op->regs[EDGERT_NPU_WEIGHT_ADDR];
  for (t = 0; t < bytes * 8; ++t)
    if (bits[t / 8] >> (t % 8) & 1) {
      if (t >= tiles)
        return npu_fail(report, "RUN-2", op->word,
                        "%s: the weight bitmap sets bit %llu; the layer has "
                        "%llu tiles",
                        npu_opcode_name(op->opcode), (unsigned long long)t,
                        (unsigned long long)tiles);
      ++set;
    }
  if (set != op->regs[EDGERT_NPU_WEIGHT_TILES])
    return npu_fail(report, "RUN-2", op->word,
                    "%s: the weight bitmap sets %llu tiles, WEIGHT_TILES "
                    "says %u",
                    npu_opcode_name(op->opcode), (unsigned long long)set,
                    (unsigned)op->regs[EDGERT_NPU_WEIGHT_TILES]);
  return 1;
}

/* CONV and FC with tiled weights (spec §2.4): the weights as a matrix of
 * OC rows by K = KH·KW·IC columns, k = (ky·KW + kx)·IC + ic, in N x N
 * tiles (output group, k group); compressed, only the tiles whose bitmap
 * bit is set are stored, in order. */
static int run_tiled(sim_ctx_t *x, const edgert_npu_op_t *op,
                     edgert_npu_report_t *report) {
  edgert_npu_sim_t *sim = x->sim;
  const uint32_t *g = op->regs;
  const uint32_t n = sim->config.n;
  const int8_t *in = (const int8_t *)sim->sram + g[EDGERT_NPU_IFM_ADDR];
  const int8_t *w = (const int8_t *)sim->sram + g[EDGERT_NPU_WEIGHT_ADDR];
  const uint8_t *bias = sim->sram + g[EDGERT_NPU_BIAS_ADDR];
  const uint8_t *bitmap = NULL;
  int8_t *out = (int8_t *)sim->sram + g[EDGERT_NPU_OFM_ADDR];
  int compressed = g[EDGERT_NPU_WEIGHT_FMT] == EDGERT_NPU_WEIGHTS_COMPRESSED;
  const window_t m = window_of(op);
  uint64_t k_total = (uint64_t)m.kh * m.kw * m.ic,
           groups = (k_total + n - 1) / n;
  uint64_t group_rank = 0; /* compressed: tiles stored before c's group */
  int32_t c, oy, ox;
  if (compressed) {
    uint64_t tiles = npu_weight_tiles(n, op);
    if (!check_bitmap(sim, op, report))
      return 0;
    bitmap = (const uint8_t *)w;
    w += ((tiles + 7) / 8 + 15) / 16 * 16;
  }
  for (c = 0; c < m.oc; ++c) {
    float scale = 0.0f;
    int32_t b = (int32_t)load_u32(bias + 4 * c);
    uint64_t first = (uint64_t)((uint32_t)c / n) * groups, r = (uint32_t)c % n;
    if (!channel_scale(sim, op, (uint32_t)c, &scale, report))
      return 0;
    if (compressed && r == 0 && c > 0) {
      uint64_t t;
      for (t = first - groups; t < first; ++t)
        group_rank += bitmap[t / 8] >> (t % 8) & 1;
    }
    for (oy = 0; oy < m.oh; ++oy)
      for (ox = 0; ox < m.ow; ++ox) {
        uint32_t acc = (uint32_t)b; /* wraps modulo 2^32 (§2.1) */
        uint64_t kg, rank = group_rank;
        for (kg = 0; kg < groups; ++kg) {
          uint64_t t = first + kg, k0 = kg * n, j,
                   width = k_total - k0 < n ? k_total - k0 : n;
          const int8_t *row;
          int32_t ky, kx, ci;
          if (compressed) {
            if (!(bitmap[t / 8] >> (t % 8) & 1))
              continue; /* a zero tile */
            row = w + (rank++ * n + r) * n;
          } else {
            row = w + (t * n + r) * n;
          }
          ky = (int32_t)(k0 / ((uint64_t)m.kw * m.ic));
          kx = (int32_t)(k0 / (uint64_t)m.ic % (uint64_t)m.kw);
          ci = (int32_t)(k0 % (uint64_t)m.ic);
          for (j = 0; j < width; ++j) {
            int32_t iy = oy * m.sh - m.pt + ky, ix = ox * m.sw - m.pl + kx;
            if (iy >= 0 && iy < m.ih && ix >= 0 && ix < m.iw)
              acc += (uint32_t)((in[((size_t)iy * m.iw + ix) * m.ic + ci] -
                                 m.zp) *
                                row[j]);
            if (++ci == m.ic) {
              ci = 0;
              if (++kx == m.kw) {
                kx = 0;
                ++ky;
              }
            }
          }
        }
        out[((size_t)oy * m.ow + ox) * m.oc + c] =
            output_stage(sim, (int32_t)acc, scale, m.ozp, g[EDGERT_NPU_ACT]);
      }
  }
  x->counters->macs += (uint64_t)m.oh * m.ow * m.oc * k_total;
  return 1;
}

static int run_conv(sim_ctx_t *x, const edgert_npu_op_t *op,
                    edgert_npu_report_t *report) {
  edgert_npu_sim_t *sim = x->sim;
  const uint32_t *g = op->regs;
  const int8_t *in = (const int8_t *)sim->sram + g[EDGERT_NPU_IFM_ADDR];
  const int8_t *w = (const int8_t *)sim->sram + g[EDGERT_NPU_WEIGHT_ADDR];
  const uint8_t *bias = sim->sram + g[EDGERT_NPU_BIAS_ADDR];
  int8_t *out = (int8_t *)sim->sram + g[EDGERT_NPU_OFM_ADDR];
  int dw = op->opcode == EDGERT_NPU_DWCONV;
  const window_t m = window_of(op);
  int32_t ih = m.ih, iw = m.iw, ic = m.ic, oh = m.oh, ow = m.ow, oc = m.oc,
          kh = m.kh, kw = m.kw, sh = m.sh, sw = m.sw, pt = m.pt, pl = m.pl,
          zp = m.zp, ozp = m.ozp;
  int32_t oy, ox, c, ky, kx, k;
  if (!dw && g[EDGERT_NPU_WEIGHT_FMT] != EDGERT_NPU_WEIGHTS_ROWS)
    return run_tiled(x, op, report);
  for (c = 0; c < oc; ++c) {
    float scale = 0.0f;
    int32_t b = (int32_t)load_u32(bias + 4 * c);
    if (!channel_scale(sim, op, (uint32_t)c, &scale, report))
      return 0;
    for (oy = 0; oy < oh; ++oy)
      for (ox = 0; ox < ow; ++ox) {
        uint32_t acc = (uint32_t)b; /* wraps modulo 2^32 (§2.1) */
        for (ky = 0; ky < kh; ++ky) {
          int32_t iy = oy * sh - pt + ky;
          if (iy < 0 || iy >= ih)
            continue;
          for (kx = 0; kx < kw; ++kx) {
            int32_t ix = ox * sw - pl + kx;
            const int8_t *px;
            if (ix < 0 || ix >= iw)
              continue;
            px = in + ((size_t)iy * iw + ix) * ic;
            if (dw) {
              acc += (uint32_t)((px[c] - zp) * w[((size_t)ky * kw + kx) * ic + c]);
            } else {
              const int8_t *wk = w + (((size_t)c * kh + ky) * kw + kx) * ic;
              for (k = 0; k < ic; ++k)
                acc += (uint32_t)((px[k] - zp) * wk[k]);
            }
          }
        }
        out[((size_t)oy * ow + ox) * oc + c] =
            output_stage(sim, (int32_t)acc, scale, ozp, g[EDGERT_NPU_ACT]);
      }
  }
  x->counters->macs += (uint64_t)oh * ow * oc * kh * kw * (dw ? 1 : ic);
  return 1;
}

static void run_pool(sim_ctx_t *x, const edgert_npu_op_t *op) {
  edgert_npu_sim_t *sim = x->sim;
  const uint32_t *g = op->regs;
  const int8_t *in = (const int8_t *)sim->sram + g[EDGERT_NPU_IFM_ADDR];
  int8_t *out = (int8_t *)sim->sram + g[EDGERT_NPU_OFM_ADDR];
  int32_t ih = (int32_t)g[EDGERT_NPU_IFM_H], iw = (int32_t)g[EDGERT_NPU_IFM_W],
          ch = (int32_t)g[EDGERT_NPU_IFM_C], oh = (int32_t)g[EDGERT_NPU_OFM_H],
          ow = (int32_t)g[EDGERT_NPU_OFM_W];
  int32_t kh = (int32_t)(g[EDGERT_NPU_KERNEL] & 0xFF),
          kw = (int32_t)(g[EDGERT_NPU_KERNEL] >> 8 & 0xFF),
          sh = (int32_t)(g[EDGERT_NPU_STRIDE] & 0xFF),
          sw = (int32_t)(g[EDGERT_NPU_STRIDE] >> 8 & 0xFF),
          pt = (int32_t)(g[EDGERT_NPU_PAD] & 0xFF),
          pl = (int32_t)(g[EDGERT_NPU_PAD] >> 8 & 0xFF);
  int32_t zp = (int32_t)g[EDGERT_NPU_IFM_ZP], ozp = (int32_t)g[EDGERT_NPU_OFM_ZP];
  float scale = scale_of(g[EDGERT_NPU_POOL_M], (int32_t)g[EDGERT_NPU_POOL_S]);
  int32_t oy, ox, c, ky, kx;
  for (oy = 0; oy < oh; ++oy)
    for (ox = 0; ox < ow; ++ox)
      for (c = 0; c < ch; ++c) {
        int32_t best = -128, sum = 0;
        for (ky = 0; ky < kh; ++ky) {
          int32_t iy = oy * sh - pt + ky;
          if (iy < 0 || iy >= ih)
            continue;
          for (kx = 0; kx < kw; ++kx) {
            int32_t ix = ox * sw - pl + kx, v;
            if (ix < 0 || ix >= iw)
              continue;
            v = in[((size_t)iy * iw + ix) * ch + c];
            best = v > best ? v : best;
            sum += v - zp;
          }
        }
        out[((size_t)oy * ow + ox) * ch + c] =
            op->sub ? output_stage(sim, sum, scale, ozp, g[EDGERT_NPU_ACT])
                    : activate(sim, g[EDGERT_NPU_ACT], best);
      }
}

static void run_eltwise(sim_ctx_t *x, const edgert_npu_op_t *op) {
  edgert_npu_sim_t *sim = x->sim;
  const uint32_t *g = op->regs;
  const int8_t *a = (const int8_t *)sim->sram + g[EDGERT_NPU_IFM_ADDR];
  const int8_t *b = (const int8_t *)sim->sram + g[EDGERT_NPU_IFM2_ADDR];
  int8_t *out = (int8_t *)sim->sram + g[EDGERT_NPU_OFM_ADDR];
  size_t count = (size_t)g[EDGERT_NPU_IFM_H] * g[EDGERT_NPU_IFM_W] *
                 g[EDGERT_NPU_IFM_C], i;
  int32_t za = (int32_t)g[EDGERT_NPU_IFM_ZP], zb = (int32_t)g[EDGERT_NPU_IFM2_ZP],
          ozp = (int32_t)g[EDGERT_NPU_OFM_ZP];
  float s1 = scale_of(g[EDGERT_NPU_ELT_M1], (int32_t)g[EDGERT_NPU_ELT_S1]);
  float s2 = op->sub ? 0.0f
                     : scale_of(g[EDGERT_NPU_ELT_M2], (int32_t)g[EDGERT_NPU_ELT_S2]);
  for (i = 0; i < count; ++i) {
    if (op->sub) {
      out[i] = output_stage(sim, (a[i] - za) * (b[i] - zb), s1, ozp,
                            g[EDGERT_NPU_ACT]);
    } else {
      volatile float v1 = (float)(a[i] - za), v2 = (float)(b[i] - zb), sum;
      int64_t y;
      v1 = v1 * s1;
      v2 = v2 * s2;
      sum = v1 + v2;
      y = (int64_t)round_even(sum) + ozp;
      out[i] = activate(sim, g[EDGERT_NPU_ACT],
                        (int32_t)(y > INT32_MAX   ? INT32_MAX
                                  : y < INT32_MIN ? INT32_MIN
                                                  : y));
    }
  }
}

static int run_dma(sim_ctx_t *x, const edgert_npu_op_t *op) {
  const edgert_npu_region_t *r = &x->regions[op->payload[0]];
  uint8_t *ext = (uint8_t *)r->base + op->payload[1];
  uint8_t *sram = x->sim->sram + op->payload[2];
  uint64_t row = op->payload[3], rows = op->payload[4], i;
  for (i = 0; i < rows; ++i) {
    uint8_t *e = ext + i * (uint64_t)op->payload[5], *s = sram + i * row;
    if (op->opcode == EDGERT_NPU_DMA_LOAD)
      memcpy(s, e, (size_t)row);
    else
      memcpy(e, s, (size_t)row);
  }
  if (op->opcode == EDGERT_NPU_DMA_LOAD)
    x->counters->dma_bytes_in += row * rows;
  else
    x->counters->dma_bytes_out += row * rows;
  return 1;
}

static int execute(void *ctx, const edgert_npu_op_t *op,
                   edgert_npu_report_t *report) {
  sim_ctx_t *x = (sim_ctx_t *)ctx;
  npu_range_t r[NPU_MAX_RANGES];
  int writes, n = npu_op_ranges(op, r, &writes), i;
  for (i = 0; i < n; ++i)
    if (r[i].addr + r[i].len > x->counters->sram_peak)
      x->counters->sram_peak = r[i].addr + r[i].len;
  switch (op->opcode) {
  case EDGERT_NPU_DMA_LOAD:
  case EDGERT_NPU_DMA_STORE:
    return run_dma(x, op);
  case EDGERT_NPU_CONV:
  case EDGERT_NPU_DWCONV:
  case EDGERT_NPU_FC:
    return run_conv(x, op, report);
  case EDGERT_NPU_POOL:
    run_pool(x, op);
    return 1;
  case EDGERT_NPU_ELTWISE:
    run_eltwise(x, op);
    return 1;
  case EDGERT_NPU_LUT_LOAD:
    memcpy(x->sim->lut, x->sim->sram + op->payload[0], 256);
    return 1;
  default:
    return 1;
  }
}

edgert_status_t edgert_npu_sim_run(edgert_npu_sim_t *sim,
                                   const uint32_t *stream, size_t words,
                                   const edgert_npu_region_t *regions,
                                   int32_t num_regions, edgert_npu_op_t *ops,
                                   size_t max_ops,
                                   edgert_npu_counters_t *counters,
                                   edgert_npu_report_t *report) {
  npu_header_t h;
  size_t n = 0;
  uint32_t i;
  int r;
  sim_ctx_t x;
  edgert_npu_counters_t local;
  if (sim == NULL || sim->sram == NULL || (stream == NULL && words > 0) ||
      (ops == NULL && max_ops > 0) || (regions == NULL && num_regions > 0))
    return EDGERT_ERR_NULL_ARGUMENT;
  r = npu_validate_into(&sim->config, stream, words, &h, ops, max_ops, &n,
                        NULL, report);
  if (r < 0)
    return EDGERT_ERR_UNSUPPORTED;
  if (r == 0)
    return EDGERT_ERR_FORMAT;
  if (num_regions < (int32_t)h.num_regions) {
    npu_fail(report, "BIND", 4, "%d regions bound, the stream has %u",
             (int)num_regions, (unsigned)h.num_regions);
    return EDGERT_ERR_ARENA_SIZE;
  }
  for (i = 0; i < h.num_regions; ++i)
    if (regions[i].size < h.region_size[i] ||
        (regions[i].base == NULL && h.region_size[i] > 0)) {
      npu_fail(report, "BIND", 5 + 2 * i,
               "region %u is bound to %llu bytes, the stream needs %u",
               (unsigned)i, (unsigned long long)regions[i].size,
               (unsigned)h.region_size[i]);
      return EDGERT_ERR_ARENA_SIZE;
    }
  x.sim = sim;
  x.regions = regions;
  x.counters = counters != NULL ? counters : &local;
  if (!npu_schedule(&sim->config, ops, n, execute, &x, x.counters, report))
    return EDGERT_ERR_BAD_MODEL;
  return EDGERT_OK;
}
