/* npu_validate.c - the ENPU stream validator (docs/npu-spec.md §4).
 *
 * One pass decodes the body with the register file tracked and checks each
 * command (HDR, CMD, REG, DIM, ADR rules), recording the operations; the
 * abstract run of the two queues then settles the semaphore rules (SYN)
 * and gives the timing estimate of §5. No allocation: the caller's `ops`
 * array holds the operations. */
#include "npu_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int npu_fail(edgert_npu_report_t *report, const char *rule, uint32_t word,
             const char *fmt, ...) {
  va_list ap;
  if (report == NULL)
    return 0;
  memset(report, 0, sizeof *report);
  strncpy(report->rule, rule, sizeof report->rule - 1);
  report->word = word;
  {
    int n = snprintf(report->message, sizeof report->message, "%s: word %u: ",
                     rule, (unsigned)word);
    if (n < 0 || (size_t)n >= sizeof report->message)
      return 0;
    va_start(ap, fmt);
    vsnprintf(report->message + n, sizeof report->message - (size_t)n, fmt,
              ap);
    va_end(ap);
  }
  return 0;
}

uint32_t edgert_npu_crc32(uint32_t crc, const void *bytes, size_t size) {
  const unsigned char *p = (const unsigned char *)bytes;
  size_t i;
  int k;
  crc = ~crc;
  for (i = 0; i < size; ++i) {
    crc ^= p[i];
    for (k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static uint32_t log2_u32(uint32_t v) {
  uint32_t l = 0;
  while (v > 1) {
    v >>= 1;
    ++l;
  }
  return l;
}

uint32_t edgert_npu_descriptor0(const edgert_npu_config_t *c) {
  return (c->n & 0xFFu) | log2_u32(c->banks) << 8 |
         log2_u32(c->dma_bytes_per_cycle) << 12;
}

/* ---- header ---------------------------------------------------------------- */

int npu_parse_header(const edgert_npu_config_t *config, const uint32_t *s,
                     size_t words, npu_header_t *h,
                     edgert_npu_report_t *report) {
  uint32_t r, i, length;
  if (words < 1 || s[0] != EDGERT_NPU_MAGIC)
    return npu_fail(report, "HDR-1", 0,
                    "the stream does not start with the magic 0x%08x",
                    (unsigned)EDGERT_NPU_MAGIC);
  if (words < 2 || s[1] >> 16 != EDGERT_NPU_VERSION_MAJOR ||
      (s[1] & 0xFFFFu) > EDGERT_NPU_VERSION_MINOR)
    return npu_fail(report, "HDR-2", 1,
                    "version %u.%u; this device runs %u.0 to %u.%u",
                    words < 2 ? 0u : (unsigned)(s[1] >> 16),
                    words < 2 ? 0u : (unsigned)(s[1] & 0xFFFFu),
                    (unsigned)EDGERT_NPU_VERSION_MAJOR,
                    (unsigned)EDGERT_NPU_VERSION_MAJOR,
                    (unsigned)EDGERT_NPU_VERSION_MINOR);
  if (words < 4)
    return npu_fail(report, "HDR-5", (uint32_t)words,
                    "the stream ends inside its header");
  if (s[2] != edgert_npu_descriptor0(config) || s[3] != config->sram_bytes)
    return npu_fail(report, "HDR-3", 2,
                    "hardware descriptor 0x%08x/%u does not match this "
                    "device's 0x%08x/%u (N=%u, %u banks, SRAM %u bytes)",
                    (unsigned)s[2], (unsigned)s[3],
                    (unsigned)edgert_npu_descriptor0(config),
                    (unsigned)config->sram_bytes, (unsigned)config->n,
                    (unsigned)config->banks, (unsigned)config->sram_bytes);
  if (words < 5)
    return npu_fail(report, "HDR-5", (uint32_t)words,
                    "the stream ends inside its header");
  r = s[4];
  if (r < 1 || r > EDGERT_NPU_MAX_REGIONS)
    return npu_fail(report, "HDR-4", 4, "%u regions (1 to %d)", (unsigned)r,
                    EDGERT_NPU_MAX_REGIONS);
  if (words < 7 + 2 * (size_t)r)
    return npu_fail(report, "HDR-5", (uint32_t)words,
                    "the stream ends inside its header");
  h->minor = s[1] & 0xFFFFu;
  h->num_regions = r;
  for (i = 0; i < r; ++i) {
    h->region_size[i] = s[5 + 2 * i];
    h->region_flags[i] = s[6 + 2 * i];
    if (h->region_flags[i] & ~3u)
      return npu_fail(report, "HDR-4", 6 + 2 * i,
                      "region %u's flags 0x%x use reserved bits", (unsigned)i,
                      (unsigned)h->region_flags[i]);
  }
  length = s[5 + 2 * r];
  h->body = 7 + 2 * r;
  if ((size_t)length != words - h->body)
    return npu_fail(report, "HDR-5", 5 + 2 * r,
                    "the header says %u body words, the stream has %lu",
                    (unsigned)length, (unsigned long)(words - h->body));
  h->body_words = length;
  if (edgert_npu_crc32(0, s + h->body, (size_t)length * 4) != s[6 + 2 * r])
    return npu_fail(report, "HDR-6", 6 + 2 * r,
                    "CRC-32 0x%08x does not match the body's 0x%08x",
                    (unsigned)s[6 + 2 * r],
                    (unsigned)edgert_npu_crc32(0, s + h->body,
                                               (size_t)length * 4));
  return 1;
}

/* ---- operands -------------------------------------------------------------- */

static int32_t sreg(const edgert_npu_op_t *op, int r) {
  return (int32_t)op->regs[r];
}

/* The registers each operation reads (spec §3.3). */
static uint32_t registers_read(const edgert_npu_op_t *op) {
  const uint32_t low17 = (1u << 17) - 1;
  /* WEIGHT_FMT (set from reset), and WEIGHT_TILES when compressed. */
  const uint32_t weight_format =
      1u << EDGERT_NPU_WEIGHT_FMT |
      (op->regs[EDGERT_NPU_WEIGHT_FMT] == EDGERT_NPU_WEIGHTS_COMPRESSED
           ? 1u << EDGERT_NPU_WEIGHT_TILES
           : 0);
  switch (op->opcode) {
  case EDGERT_NPU_CONV:
    return low17 | weight_format;
  case EDGERT_NPU_DWCONV:
    return low17;
  case EDGERT_NPU_FC:
    return 1u << EDGERT_NPU_IFM_ADDR | 1u << EDGERT_NPU_IFM_C |
           1u << EDGERT_NPU_IFM_ZP | 1u << EDGERT_NPU_OFM_ADDR |
           1u << EDGERT_NPU_OFM_C | 1u << EDGERT_NPU_OFM_ZP |
           1u << EDGERT_NPU_WEIGHT_ADDR | 1u << EDGERT_NPU_BIAS_ADDR |
           1u << EDGERT_NPU_SCALE_ADDR | 1u << EDGERT_NPU_ACT | weight_format;
  case EDGERT_NPU_POOL:
    return ((1u << 13) - 1) | 1u << EDGERT_NPU_ACT |
           (op->sub ? 1u << EDGERT_NPU_POOL_M | 1u << EDGERT_NPU_POOL_S : 0);
  case EDGERT_NPU_ELTWISE:
    return ((1u << 10) - 1) | 1u << EDGERT_NPU_ACT | 1u << EDGERT_NPU_IFM2_ADDR |
           1u << EDGERT_NPU_IFM2_ZP | 1u << EDGERT_NPU_ELT_M1 |
           1u << EDGERT_NPU_ELT_S1 |
           (op->sub ? 0 : 1u << EDGERT_NPU_ELT_M2 | 1u << EDGERT_NPU_ELT_S2);
  default:
    return 0;
  }
}

static const char *const register_names[EDGERT_NPU_REGISTERS] = {
    "IFM_ADDR", "IFM_H",       "IFM_W",      "IFM_C",      "IFM_ZP",
    "OFM_ADDR", "OFM_H",       "OFM_W",      "OFM_C",      "OFM_ZP",
    "KERNEL",   "STRIDE",      "PAD",        "WEIGHT_ADDR", "BIAS_ADDR",
    "SCALE_ADDR", "ACT",       "IFM2_ADDR",  "IFM2_ZP",    "ELT_M1",
    "ELT_S1",   "ELT_M2",      "ELT_S2",     "POOL_M",     "POOL_S",
    "WEIGHT_FMT", "WEIGHT_TILES"};

const char *edgert_npu_register_name(int32_t index) {
  return index >= 0 && index < EDGERT_NPU_REGISTERS ? register_names[index]
                                                    : NULL;
}

const char *npu_opcode_name(uint32_t opcode) {
  switch (opcode) {
  case EDGERT_NPU_SET_REG: return "SET_REG";
  case EDGERT_NPU_DMA_LOAD: return "DMA_LOAD";
  case EDGERT_NPU_DMA_STORE: return "DMA_STORE";
  case EDGERT_NPU_CONV: return "CONV";
  case EDGERT_NPU_DWCONV: return "DWCONV";
  case EDGERT_NPU_FC: return "FC";
  case EDGERT_NPU_POOL: return "POOL";
  case EDGERT_NPU_ELTWISE: return "ELTWISE";
  case EDGERT_NPU_LUT_LOAD: return "LUT_LOAD";
  case EDGERT_NPU_END: return "END";
  default: return "?";
  }
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

uint64_t npu_weight_tiles(uint32_t n, const edgert_npu_op_t *op) {
  const uint32_t *g = op->regs;
  uint64_t k = op->opcode == EDGERT_NPU_FC
                   ? 1
                   : (uint64_t)(g[EDGERT_NPU_KERNEL] & 0xFF) *
                         (g[EDGERT_NPU_KERNEL] >> 8 & 0xFF);
  /* The contraction axis (ky, kx, ic) in groups of N. */
  return ceil_div(g[EDGERT_NPU_OFM_C], n) *
         ceil_div(k * g[EDGERT_NPU_IFM_C], n);
}

uint64_t npu_weight_bytes(uint32_t n, const edgert_npu_op_t *op) {
  const uint32_t *g = op->regs;
  uint64_t ic = g[EDGERT_NPU_IFM_C], oc = g[EDGERT_NPU_OFM_C],
           k = (uint64_t)(g[EDGERT_NPU_KERNEL] & 0xFF) *
               (g[EDGERT_NPU_KERNEL] >> 8 & 0xFF);
  switch (op->opcode) {
  case EDGERT_NPU_DWCONV:
    return k * ic;
  case EDGERT_NPU_FC:
    k = 1;
    /* fall through */
  case EDGERT_NPU_CONV:
    switch (g[EDGERT_NPU_WEIGHT_FMT]) {
    case EDGERT_NPU_WEIGHTS_TILES:
      return npu_weight_tiles(n, op) * n * n;
    case EDGERT_NPU_WEIGHTS_COMPRESSED:
      return ceil_div(ceil_div(npu_weight_tiles(n, op), 8), 16) * 16 +
             (uint64_t)g[EDGERT_NPU_WEIGHT_TILES] * n * n;
    default:
      return oc * k * ic;
    }
  default:
    return 0;
  }
}

int npu_op_ranges(const edgert_npu_op_t *op, npu_range_t *r, int *writes) {
  const uint32_t *g = op->regs;
  uint64_t ih = g[EDGERT_NPU_IFM_H], iw = g[EDGERT_NPU_IFM_W],
           ic = g[EDGERT_NPU_IFM_C], oh = g[EDGERT_NPU_OFM_H],
           ow = g[EDGERT_NPU_OFM_W], oc = g[EDGERT_NPU_OFM_C];
  int n = 0;
  *writes = -1;
#define RANGE(A_, L_) (r[n].addr = (A_), r[n].len = (L_), n++)
  switch (op->opcode) {
  case EDGERT_NPU_DMA_LOAD:
  case EDGERT_NPU_DMA_STORE:
    *writes = op->opcode == EDGERT_NPU_DMA_LOAD ? 0 : -1;
    RANGE(op->payload[2], (uint64_t)op->payload[3] * op->payload[4]);
    break;
  case EDGERT_NPU_LUT_LOAD:
    RANGE(op->payload[0], 256);
    break;
  case EDGERT_NPU_CONV:
  case EDGERT_NPU_DWCONV:
    *writes = 0;
    RANGE(g[EDGERT_NPU_OFM_ADDR], oh * ow * oc);
    RANGE(g[EDGERT_NPU_IFM_ADDR], ih * iw * ic);
    RANGE(g[EDGERT_NPU_WEIGHT_ADDR], op->weight_bytes);
    RANGE(g[EDGERT_NPU_BIAS_ADDR], 4 * oc);
    RANGE(g[EDGERT_NPU_SCALE_ADDR], 8 * oc);
    break;
  case EDGERT_NPU_FC:
    *writes = 0;
    RANGE(g[EDGERT_NPU_OFM_ADDR], oc);
    RANGE(g[EDGERT_NPU_IFM_ADDR], ic);
    RANGE(g[EDGERT_NPU_WEIGHT_ADDR], op->weight_bytes);
    RANGE(g[EDGERT_NPU_BIAS_ADDR], 4 * oc);
    RANGE(g[EDGERT_NPU_SCALE_ADDR], 8 * oc);
    break;
  case EDGERT_NPU_POOL:
    *writes = 0;
    RANGE(g[EDGERT_NPU_OFM_ADDR], oh * ow * oc);
    RANGE(g[EDGERT_NPU_IFM_ADDR], ih * iw * ic);
    break;
  case EDGERT_NPU_ELTWISE:
    *writes = 0;
    RANGE(g[EDGERT_NPU_OFM_ADDR], oh * ow * oc);
    RANGE(g[EDGERT_NPU_IFM_ADDR], ih * iw * ic);
    RANGE(g[EDGERT_NPU_IFM2_ADDR], ih * iw * ic);
    break;
  default:
    break;
  }
#undef RANGE
  return n;
}

static int scale_ok(uint32_t m, int32_t s) {
  return (m == 0 || (m >= (1u << 23) && m < (1u << 24))) && s >= -104 &&
         s <= 149;
}

/* DIM-1 and DIM-2 for one operation. */
static int check_dims(const edgert_npu_config_t *config,
                      const edgert_npu_op_t *op, edgert_npu_report_t *report) {
  const uint32_t *g = op->regs;
  uint32_t read = registers_read(op), i;
  uint32_t kh = g[EDGERT_NPU_KERNEL] & 0xFF, kw = g[EDGERT_NPU_KERNEL] >> 8 & 0xFF;
  uint32_t sh = g[EDGERT_NPU_STRIDE] & 0xFF, sw = g[EDGERT_NPU_STRIDE] >> 8 & 0xFF;
  uint32_t pt = g[EDGERT_NPU_PAD] & 0xFF, pl = g[EDGERT_NPU_PAD] >> 8 & 0xFF,
           pb = g[EDGERT_NPU_PAD] >> 16 & 0xFF, pr = g[EDGERT_NPU_PAD] >> 24;
  const char *name = npu_opcode_name(op->opcode);
  static const int dims[] = {EDGERT_NPU_IFM_H, EDGERT_NPU_IFM_W,
                             EDGERT_NPU_IFM_C, EDGERT_NPU_OFM_H,
                             EDGERT_NPU_OFM_W, EDGERT_NPU_OFM_C};
  static const int zps[] = {EDGERT_NPU_IFM_ZP, EDGERT_NPU_OFM_ZP,
                            EDGERT_NPU_IFM2_ZP};
  for (i = 0; i < sizeof dims / sizeof dims[0]; ++i)
    if ((read >> dims[i] & 1) && (g[dims[i]] < 1 || g[dims[i]] > 4096))
      return npu_fail(report, "DIM-1", op->word, "%s: %s = %u (1 to 4096)",
                      name, register_names[dims[i]], (unsigned)g[dims[i]]);
  for (i = 0; i < sizeof zps / sizeof zps[0]; ++i)
    if ((read >> zps[i] & 1) && (sreg(op, zps[i]) < -128 || sreg(op, zps[i]) > 127))
      return npu_fail(report, "DIM-1", op->word, "%s: %s = %d (-128 to 127)",
                      name, register_names[zps[i]], (int)sreg(op, zps[i]));
  if (read >> EDGERT_NPU_KERNEL & 1) {
    if ((g[EDGERT_NPU_KERNEL] >> 16) != 0 || kh < 1 || kh > 15 || kw < 1 ||
        kw > 15)
      return npu_fail(report, "DIM-1", op->word,
                      "%s: KERNEL 0x%x (1 to 15 each way)", name,
                      (unsigned)g[EDGERT_NPU_KERNEL]);
    if ((g[EDGERT_NPU_STRIDE] >> 16) != 0 || sh < 1 || sh > 4 || sw < 1 ||
        sw > 4)
      return npu_fail(report, "DIM-1", op->word,
                      "%s: STRIDE 0x%x (1 to 4 each way)", name,
                      (unsigned)g[EDGERT_NPU_STRIDE]);
    if (pt >= kh || pb >= kh || pl >= kw || pr >= kw)
      return npu_fail(report, "DIM-1", op->word,
                      "%s: PAD 0x%08x: each pad must be below the kernel's "
                      "%ux%u",
                      name, (unsigned)g[EDGERT_NPU_PAD], (unsigned)kh,
                      (unsigned)kw);
    if (op->opcode == EDGERT_NPU_POOL && op->sub && g[EDGERT_NPU_PAD] != 0)
      return npu_fail(report, "DIM-1", op->word,
                      "POOL average takes no padding (PAD 0x%08x)",
                      (unsigned)g[EDGERT_NPU_PAD]);
  }
  if (read >> EDGERT_NPU_ACT & 1) {
    uint32_t act = g[EDGERT_NPU_ACT];
    if ((act & 0xFF0000FCu) != 0 || (act & 3) > 1 ||
        (int8_t)(act >> 8 & 0xFF) > (int8_t)(act >> 16 & 0xFF))
      return npu_fail(report, "DIM-1", op->word,
                      "%s: ACT 0x%08x (mode 0 or 1, min <= max)", name,
                      (unsigned)act);
  }
  if (read >> EDGERT_NPU_WEIGHT_FMT & 1) {
    uint32_t fmt = g[EDGERT_NPU_WEIGHT_FMT];
    uint64_t tiles = npu_weight_tiles(config->n, op);
    if (fmt > EDGERT_NPU_WEIGHTS_COMPRESSED)
      return npu_fail(report, "DIM-1", op->word,
                      "%s: WEIGHT_FMT %u (0 rows, 1 tiles, 2 compressed tiles)",
                      name, (unsigned)fmt);
    if (fmt == EDGERT_NPU_WEIGHTS_COMPRESSED &&
        g[EDGERT_NPU_WEIGHT_TILES] > tiles)
      return npu_fail(report, "DIM-1", op->word,
                      "%s: WEIGHT_TILES %u, but the layer has %llu tiles", name,
                      (unsigned)g[EDGERT_NPU_WEIGHT_TILES],
                      (unsigned long long)tiles);
  }
  for (i = EDGERT_NPU_ELT_M1; i <= EDGERT_NPU_POOL_S; i += 2)
    if ((read >> i & 1) && !scale_ok(g[i], sreg(op, (int)i + 1)))
      return npu_fail(report, "DIM-1", op->word,
                      "%s: scale %s = %u, %s = %d (0 or [2^23, 2^24); -104 "
                      "to 149)",
                      name, register_names[i], (unsigned)g[i],
                      register_names[i + 1], (int)sreg(op, (int)i + 1));
  /* DIM-2: the output shape follows from the input's. */
  if (read >> EDGERT_NPU_KERNEL & 1) {
    uint32_t eh = g[EDGERT_NPU_IFM_H] + pt + pb, ew = g[EDGERT_NPU_IFM_W] + pl + pr;
    uint32_t want_h = eh >= kh ? (eh - kh) / sh + 1 : 0,
             want_w = ew >= kw ? (ew - kw) / sw + 1 : 0;
    if (g[EDGERT_NPU_OFM_H] != want_h || g[EDGERT_NPU_OFM_W] != want_w)
      return npu_fail(report, "DIM-2", op->word,
                      "%s: output %ux%u, but a %ux%u input with kernel %ux%u, "
                      "strides %u,%u and these pads gives %ux%u",
                      name, (unsigned)g[EDGERT_NPU_OFM_H],
                      (unsigned)g[EDGERT_NPU_OFM_W],
                      (unsigned)g[EDGERT_NPU_IFM_H],
                      (unsigned)g[EDGERT_NPU_IFM_W], (unsigned)kh,
                      (unsigned)kw, (unsigned)sh, (unsigned)sw,
                      (unsigned)want_h, (unsigned)want_w);
  }
  if ((op->opcode == EDGERT_NPU_DWCONV || op->opcode == EDGERT_NPU_POOL) &&
      g[EDGERT_NPU_OFM_C] != g[EDGERT_NPU_IFM_C])
    return npu_fail(report, "DIM-2", op->word,
                    "%s: %u output channels for %u input channels", name,
                    (unsigned)g[EDGERT_NPU_OFM_C],
                    (unsigned)g[EDGERT_NPU_IFM_C]);
  if (op->opcode == EDGERT_NPU_ELTWISE &&
      (g[EDGERT_NPU_OFM_H] != g[EDGERT_NPU_IFM_H] ||
       g[EDGERT_NPU_OFM_W] != g[EDGERT_NPU_IFM_W] ||
       g[EDGERT_NPU_OFM_C] != g[EDGERT_NPU_IFM_C]))
    return npu_fail(report, "DIM-2", op->word,
                    "ELTWISE: output %ux%ux%u differs from its inputs' "
                    "%ux%ux%u",
                    (unsigned)g[EDGERT_NPU_OFM_H],
                    (unsigned)g[EDGERT_NPU_OFM_W],
                    (unsigned)g[EDGERT_NPU_OFM_C],
                    (unsigned)g[EDGERT_NPU_IFM_H],
                    (unsigned)g[EDGERT_NPU_IFM_W],
                    (unsigned)g[EDGERT_NPU_IFM_C]);
  return 1;
}

static int overlaps(const npu_range_t *a, const npu_range_t *b) {
  return a->len > 0 && b->len > 0 && a->addr < b->addr + b->len &&
         b->addr < a->addr + a->len;
}

/* ADR-1, ADR-2 and ADR-6 for the SRAM operands, ADR-3..5 for DMA. */
static int check_addresses(const edgert_npu_config_t *config,
                           const npu_header_t *h, const edgert_npu_op_t *op,
                           edgert_npu_report_t *report) {
  npu_range_t r[NPU_MAX_RANGES];
  int writes, n = npu_op_ranges(op, r, &writes), i;
  const char *name = npu_opcode_name(op->opcode);
  for (i = 0; i < n; ++i) {
    if (r[i].addr % 16 != 0)
      return npu_fail(report, "ADR-1", op->word,
                      "%s: SRAM address 0x%llx is not a multiple of 16", name,
                      (unsigned long long)r[i].addr);
    if (r[i].addr + r[i].len > config->sram_bytes)
      return npu_fail(report, "ADR-2", op->word,
                      "%s: SRAM bytes [0x%llx, 0x%llx) pass the SRAM's end "
                      "0x%x",
                      name, (unsigned long long)r[i].addr,
                      (unsigned long long)(r[i].addr + r[i].len),
                      (unsigned)config->sram_bytes);
  }
  if (writes >= 0 && op->opcode != EDGERT_NPU_DMA_LOAD)
    for (i = 0; i < n; ++i)
      if (i != writes && overlaps(&r[writes], &r[i]))
        return npu_fail(report, "ADR-6", op->word,
                        "%s: its output [0x%llx, 0x%llx) overlaps an input "
                        "[0x%llx, 0x%llx)",
                        name, (unsigned long long)r[writes].addr,
                        (unsigned long long)(r[writes].addr + r[writes].len),
                        (unsigned long long)r[i].addr,
                        (unsigned long long)(r[i].addr + r[i].len));
  if (op->opcode == EDGERT_NPU_DMA_LOAD || op->opcode == EDGERT_NPU_DMA_STORE) {
    uint32_t region = op->payload[0];
    uint64_t rows = op->payload[4], row = op->payload[3],
             end = op->payload[1] + (rows - 1) * (uint64_t)op->payload[5] + row;
    int load = op->opcode == EDGERT_NPU_DMA_LOAD;
    if (region >= h->num_regions)
      return npu_fail(report, "ADR-3", op->word,
                      "%s: region %u does not exist (%u regions)", name,
                      (unsigned)region, (unsigned)h->num_regions);
    if (end > h->region_size[region])
      return npu_fail(report, "ADR-3", op->word,
                      "%s: bytes up to %llu of region %u, which holds %u",
                      name, (unsigned long long)end, (unsigned)region,
                      (unsigned)h->region_size[region]);
    if (!load && !(h->region_flags[region] & 2))
      return npu_fail(report, "ADR-4", op->word,
                      "DMA_STORE writes region %u, which is read-only",
                      (unsigned)region);
    if (load && !(h->region_flags[region] & 1))
      return npu_fail(report, "ADR-5", op->word,
                      "DMA_LOAD reads region %u, which is not readable",
                      (unsigned)region);
  }
  return 1;
}

/* ---- the body ----------------------------------------------------------------- */

static int payload_words(uint32_t opcode) {
  switch (opcode) {
  case EDGERT_NPU_SET_REG:
  case EDGERT_NPU_LUT_LOAD:
    return 1;
  case EDGERT_NPU_DMA_LOAD:
  case EDGERT_NPU_DMA_STORE:
    return 6;
  default:
    return 0;
  }
}

static int decode_body(const edgert_npu_config_t *config,
                       const npu_header_t *h, const uint32_t *s,
                       edgert_npu_op_t *ops, size_t max_ops, size_t *num_ops,
                       edgert_npu_report_t *report) {
  uint32_t regs[EDGERT_NPU_REGISTERS];
  uint32_t set = 0, w = h->body, end = h->body + h->body_words;
  size_t n = 0;
  int ended = 0;
  memset(regs, 0, sizeof regs);
  /* WEIGHT_FMT is the one register with a reset value (rows), so 1.0
   * streams keep their meaning. */
  set = 1u << EDGERT_NPU_WEIGHT_FMT;
  while (w < end) {
    uint32_t cmd = s[w], opcode = cmd >> 24, queue = cmd >> 20 & 0xF,
             operands = cmd & 0xFFFFF, reserved = 0, want_queue;
    int words;
    if (ended)
      return npu_fail(report, "CMD-5", w, "a command follows END");
    switch (opcode) {
    case EDGERT_NPU_SET_REG:
      reserved = 0xFFF00;
      want_queue = 0;
      break;
    case EDGERT_NPU_DMA_LOAD:
    case EDGERT_NPU_DMA_STORE:
      reserved = 0xF0000;
      want_queue = 0;
      break;
    case EDGERT_NPU_POOL:
    case EDGERT_NPU_ELTWISE:
      reserved = 0xE0000;
      want_queue = 1;
      break;
    case EDGERT_NPU_CONV:
    case EDGERT_NPU_DWCONV:
    case EDGERT_NPU_FC:
    case EDGERT_NPU_LUT_LOAD:
      reserved = 0xF0000;
      want_queue = 1;
      break;
    case EDGERT_NPU_END:
      reserved = 0xFFFFF;
      want_queue = 0;
      break;
    default:
      return npu_fail(report, "CMD-1", w, "unknown opcode 0x%02x",
                      (unsigned)opcode);
    }
    if (operands & reserved)
      return npu_fail(report, "CMD-2", w,
                      "%s: reserved bits 0x%05x are set", npu_opcode_name(opcode),
                      (unsigned)(operands & reserved));
    if (queue != want_queue)
      return npu_fail(report, "CMD-4", w, "%s on queue %u; it belongs on %u",
                      npu_opcode_name(opcode), (unsigned)queue,
                      (unsigned)want_queue);
    words = payload_words(opcode);
    if ((uint64_t)w + 1 + (uint64_t)words > end)
      return npu_fail(report, "CMD-3", w,
                      "%s needs %d payload words; the body ends first",
                      npu_opcode_name(opcode), words);
    if (opcode == EDGERT_NPU_END) {
      ended = 1;
      ++w;
      continue;
    }
    if (opcode == EDGERT_NPU_SET_REG) {
      uint32_t index = operands & 0xFF;
      if (index >= EDGERT_NPU_REGISTERS)
        return npu_fail(report, "REG-2", w, "SET_REG of register %u (0 to %d)",
                        (unsigned)index, EDGERT_NPU_REGISTERS - 1);
      if (h->minor == 0 && index >= EDGERT_NPU_REGISTERS_1_0)
        return npu_fail(report, "REG-2", w,
                        "SET_REG of %s, a register of version 1.1, in a 1.0 "
                        "stream",
                        register_names[index]);
      regs[index] = s[w + 1];
      set |= 1u << index;
      w += 2;
      continue;
    }
    {
      edgert_npu_op_t *op;
      uint32_t missing;
      int i;
      if (n == max_ops) {
        npu_fail(report, "LIMIT", w,
                 "more than %lu operations for the workspace",
                 (unsigned long)max_ops);
        return -1;
      }
      op = &ops[n];
      memset(op, 0, sizeof *op);
      op->opcode = (uint8_t)opcode;
      op->queue = (uint8_t)queue;
      op->wait = (uint8_t)(operands >> 8 & 0xFF);
      op->signal = (uint8_t)(operands & 0xFF);
      op->sub = operands >> 16 & 1;
      op->word = w;
      memcpy(op->regs, regs, sizeof regs);
      op->weight_bytes = npu_weight_bytes(config->n, op);
      for (i = 0; i < words; ++i)
        op->payload[i] = s[w + 1 + i];
      missing = registers_read(op) & ~set;
      if (missing != 0) {
        int r = 0;
        while (!(missing >> r & 1))
          ++r;
        return npu_fail(report, "REG-1", w, "%s reads %s, which is not set",
                        npu_opcode_name(opcode), register_names[r]);
      }
      if (opcode == EDGERT_NPU_DMA_LOAD || opcode == EDGERT_NPU_DMA_STORE) {
        if (op->payload[0] & ~0xFu)
          return npu_fail(report, "CMD-2", w + 1,
                          "%s: reserved bits of the region word are set",
                          npu_opcode_name(opcode));
        if (op->payload[3] < 1 || op->payload[3] > (1u << 24) ||
            op->payload[4] < 1 || op->payload[4] > 65536)
          return npu_fail(report, "DIM-1", w,
                          "%s: %u rows of %u bytes (1 to 65536 rows of 1 to "
                          "2^24 bytes)",
                          npu_opcode_name(opcode), (unsigned)op->payload[4],
                          (unsigned)op->payload[3]);
      } else if (!check_dims(config, op, report)) {
        return 0;
      }
      if (!check_addresses(config, h, op, report))
        return 0;
      ++n;
      w += 1 + (uint32_t)words;
    }
  }
  if (!ended)
    return npu_fail(report, "CMD-5", end, "the body does not end with END");
  *num_ops = n;
  return 1;
}

/* ---- the queues ------------------------------------------------------------------ */

uint64_t npu_duration(const edgert_npu_config_t *c, const edgert_npu_op_t *op) {
  const uint32_t *g = op->regs;
  uint64_t n = c->n, kh = g[EDGERT_NPU_KERNEL] & 0xFF,
           kw = g[EDGERT_NPU_KERNEL] >> 8 & 0xFF, ic = g[EDGERT_NPU_IFM_C],
           oc = g[EDGERT_NPU_OFM_C],
           pix = (uint64_t)g[EDGERT_NPU_OFM_H] * g[EDGERT_NPU_OFM_W];
  switch (op->opcode) {
  case EDGERT_NPU_DMA_LOAD:
  case EDGERT_NPU_DMA_STORE: {
    uint64_t bytes = (uint64_t)op->payload[3] * op->payload[4];
    return 16 + (bytes + c->dma_bytes_per_cycle - 1) / c->dma_bytes_per_cycle;
  }
  case EDGERT_NPU_CONV:
  case EDGERT_NPU_FC: {
    /* One N x N tile per cycle and output position: rows a kernel
     * position at a time, tiles over the whole window (the array's input
     * gathers across positions), compressed skipping their zero tiles. */
    uint32_t fmt = g[EDGERT_NPU_WEIGHT_FMT];
    uint64_t fc = op->opcode == EDGERT_NPU_FC,
             tiles = fmt == EDGERT_NPU_WEIGHTS_COMPRESSED
                         ? g[EDGERT_NPU_WEIGHT_TILES]
                     : fmt == EDGERT_NPU_WEIGHTS_TILES
                         ? npu_weight_tiles(c->n, op)
                         : ((ic + n - 1) / n) * ((oc + n - 1) / n) *
                               (fc ? 1 : kh * kw);
    return 8 + (fc ? 1 : pix) * tiles;
  }
  case EDGERT_NPU_DWCONV:
  case EDGERT_NPU_POOL:
    return 8 + pix * kh * kw * ((ic + n - 1) / n);
  case EDGERT_NPU_ELTWISE:
    return 8 + (pix * oc + n - 1) / n;
  case EDGERT_NPU_LUT_LOAD:
    return 8 + 256 / n;
  default:
    return 0;
  }
}

/* The next operation of queue q at or after index *at (ops in stream
 * order), or -1. */
static long next_of_queue(const edgert_npu_op_t *ops, size_t n, int q,
                          size_t at) {
  for (; at < n; ++at)
    if (ops[at].queue == q)
      return (long)at;
  return -1;
}

int npu_schedule(const edgert_npu_config_t *config, edgert_npu_op_t *ops,
                 size_t n, npu_exec_fn exec, void *ctx,
                 edgert_npu_counters_t *counters,
                 edgert_npu_report_t *report) {
  long head[2], producer[EDGERT_NPU_SEMAPHORES];
  int producer_queue[EDGERT_NPU_SEMAPHORES], s, q;
  int64_t clock[2] = {0, 0};
  uint32_t position[2] = {0, 0};
  /* SYN-3: each semaphore goes from one queue to the other. */
  for (s = 0; s < EDGERT_NPU_SEMAPHORES; ++s) {
    int signals = 0, waits = 0;
    size_t i;
    for (i = 0; i < n; ++i) {
      if (ops[i].signal >> s & 1)
        signals |= 1 << ops[i].queue;
      if (ops[i].wait >> s & 1)
        waits |= 1 << ops[i].queue;
    }
    if ((signals & waits) || signals == 3 || waits == 3) {
      for (i = 0; i < n; ++i)
        if ((ops[i].signal | ops[i].wait) >> s & 1)
          break;
      return npu_fail(report, "SYN-3", ops[i].word,
                      "semaphore S%d is not signaled by one queue and waited "
                      "on by the other",
                      s);
    }
    producer_queue[s] = signals == 1 ? 0 : 1;
    producer[s] = next_of_queue(ops, n, producer_queue[s], 0);
  }
  if (counters != NULL)
    memset(counters, 0, sizeof *counters);
  head[0] = next_of_queue(ops, n, 0, 0);
  head[1] = next_of_queue(ops, n, 1, 0);
  while (head[0] >= 0 || head[1] >= 0) {
    int progressed = 0;
    for (q = 0; q < 2; ++q) {
      edgert_npu_op_t *op;
      int64_t start;
      long match[EDGERT_NPU_SEMAPHORES];
      int ready = 1;
      if (head[q] < 0)
        continue;
      op = &ops[head[q]];
      start = clock[q];
      op->seen[q] = position[q] + 1;
      op->seen[1 - q] = 0;
      if (position[q] > 0) {
        /* The previous operation of this queue: its view of the other. */
        long prev = head[q] - 1;
        while (ops[prev].queue != q)
          --prev;
        op->seen[1 - q] = ops[prev].seen[1 - q];
      }
      for (s = 0; s < EDGERT_NPU_SEMAPHORES && ready; ++s) {
        long p;
        match[s] = -1;
        if (!(op->wait >> s & 1))
          continue;
        /* The next unconsumed signal of s: the producer queue's next
         * operation signaling it, done already. */
        p = producer[s];
        while (p >= 0 && !(ops[p].signal >> s & 1))
          p = next_of_queue(ops, n, producer_queue[s], (size_t)p + 1);
        if (p < 0) {
          producer[s] = -1;
          return npu_fail(report, "SYN-1", op->word,
                          "%s waits on S%d, which no later operation of "
                          "queue %d signals",
                          npu_opcode_name(op->opcode), s, producer_queue[s]);
        }
        producer[s] = p;
        if (head[producer_queue[s]] >= 0 && p >= head[producer_queue[s]])
          ready = 0; /* not done yet */
        else
          match[s] = p;
      }
      if (!ready)
        continue;
      for (s = 0; s < EDGERT_NPU_SEMAPHORES; ++s)
        if (match[s] >= 0) {
          const edgert_npu_op_t *p = &ops[match[s]];
          if (p->end > start)
            start = p->end;
          if (p->seen[1 - q] > op->seen[1 - q])
            op->seen[1 - q] = p->seen[1 - q];
          producer[s] =
              next_of_queue(ops, n, producer_queue[s], (size_t)match[s] + 1);
        }
      op->start = start;
      op->end = start + (int64_t)npu_duration(config, op);
      if (counters != NULL) {
        counters->stall_cycles[q] += (uint64_t)(start - clock[q]);
        ++counters->operations;
      }
      if (exec != NULL && !exec(ctx, op, report))
        return 0;
      clock[q] = op->end;
      ++position[q];
      head[q] = next_of_queue(ops, n, q, (size_t)head[q] + 1);
      progressed = 1;
    }
    if (!progressed) {
      const edgert_npu_op_t *a = &ops[head[0]], *b = &ops[head[1]];
      return npu_fail(report, "SYN-1", a->word,
                      "deadlock: %s (queue 0) and %s (word %u, queue 1) each "
                      "wait for the other",
                      npu_opcode_name(a->opcode), npu_opcode_name(b->opcode),
                      (unsigned)b->word);
    }
  }
  if (counters != NULL) {
    counters->queue_cycles[0] = (uint64_t)clock[0];
    counters->queue_cycles[1] = (uint64_t)clock[1];
    counters->cycles = (uint64_t)(clock[0] > clock[1] ? clock[0] : clock[1]);
  }
  return 1;
}

/* SYN-2: operations of different queues, ordered neither way, whose SRAM
 * ranges conflict. */
static int check_races(const edgert_npu_op_t *ops, size_t n,
                       edgert_npu_report_t *report) {
  size_t i, j;
  for (i = 0; i < n; ++i) {
    npu_range_t ra[NPU_MAX_RANGES];
    int wa, na;
    if (ops[i].queue != 0)
      continue;
    na = npu_op_ranges(&ops[i], ra, &wa);
    for (j = 0; j < n; ++j) {
      npu_range_t rb[NPU_MAX_RANGES];
      int wb, nb, x, y;
      if (ops[j].queue != 1)
        continue;
      /* ops[i] is queue 0's (seen[0])th, ops[j] queue 1's (seen[1])th. */
      if (ops[j].seen[0] >= ops[i].seen[0] || ops[i].seen[1] >= ops[j].seen[1])
        continue; /* ordered */
      nb = npu_op_ranges(&ops[j], rb, &wb);
      for (x = 0; x < na; ++x)
        for (y = 0; y < nb; ++y)
          if ((x == wa || y == wb) && overlaps(&ra[x], &rb[y]))
            return npu_fail(
                report, "SYN-2", ops[j].word,
                "%s (queue 1) and %s (word %u, queue 0) may run together and "
                "both touch SRAM [0x%llx, 0x%llx), one writing",
                npu_opcode_name(ops[j].opcode),
                npu_opcode_name(ops[i].opcode), (unsigned)ops[i].word,
                (unsigned long long)(ra[x].addr > rb[y].addr ? ra[x].addr
                                                             : rb[y].addr),
                (unsigned long long)(ra[x].addr + ra[x].len <
                                             rb[y].addr + rb[y].len
                                         ? ra[x].addr + ra[x].len
                                         : rb[y].addr + rb[y].len));
    }
  }
  return 1;
}

int npu_validate_into(const edgert_npu_config_t *config, const uint32_t *s,
                      size_t words, npu_header_t *h, edgert_npu_op_t *ops,
                      size_t max_ops, size_t *num_ops,
                      edgert_npu_counters_t *counters,
                      edgert_npu_report_t *report) {
  int r;
  if (report != NULL)
    memset(report, 0, sizeof *report);
  if (!npu_parse_header(config, s, words, h, report))
    return 0;
  r = decode_body(config, h, s, ops, max_ops, num_ops, report);
  if (r <= 0)
    return r;
  return npu_schedule(config, ops, *num_ops, NULL, NULL, counters, report) &&
         check_races(ops, *num_ops, report);
}

edgert_status_t edgert_npu_validate(const edgert_npu_config_t *config,
                                    const uint32_t *stream, size_t words,
                                    edgert_npu_op_t *ops, size_t max_ops,
                                    size_t *num_ops,
                                    edgert_npu_report_t *report) {
  npu_header_t h;
  size_t n = 0;
  int r;
  if (config == NULL || (stream == NULL && words > 0) ||
      (ops == NULL && max_ops > 0))
    return EDGERT_ERR_NULL_ARGUMENT;
  r = npu_validate_into(config, stream, words, &h, ops, max_ops, &n, NULL,
                        report);
  if (num_ops != NULL)
    *num_ops = n;
  return r > 0 ? EDGERT_OK : r < 0 ? EDGERT_ERR_UNSUPPORTED : EDGERT_ERR_FORMAT;
}
