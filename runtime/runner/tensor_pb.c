/* tensor_pb.c - a minimal, bounds-checked decoder for serialized ONNX
 * TensorProto messages (the input_*.pb / output_*.pb files of ONNX tests).
 *
 * Protobuf wire format: each field is a varint key (field << 3 | wire type)
 * followed by a varint (0), 8 bytes (1), a varint length and that many bytes
 * (2) or 4 bytes (5). Repeated scalars may be "packed" into one
 * length-delimited field. Fields used here:
 *   1 dims (int64)     2 data_type (int32)   4 float_data (float)
 *   5 int32_data       7 int64_data          8 name (string)
 *   9 raw_data (bytes) 10 double_data        11 uint64_data
 *   14 data_location (0 DEFAULT, 1 EXTERNAL)
 * All other fields are skipped. The decoder makes two passes: the first
 * validates the message and collects dims, type and value counts; the second
 * copies the values into the tensor's buffer. Values are little-endian, as
 * is every host the runner supports. */
#define _POSIX_C_SOURCE 200809L
#include "runner_internal.h"

#include <string.h>

enum {
  FIELD_DIMS = 1,
  FIELD_DATA_TYPE = 2,
  FIELD_FLOAT_DATA = 4,
  FIELD_INT32_DATA = 5,
  FIELD_INT64_DATA = 7,
  FIELD_NAME = 8,
  FIELD_RAW_DATA = 9,
  FIELD_DOUBLE_DATA = 10,
  FIELD_UINT64_DATA = 11,
  FIELD_DATA_LOCATION = 14
};

enum { WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_FIXED32 = 5 };

typedef struct {
  const unsigned char *p, *end;
} pb_cursor_t;

/* One decoded field: the number, wire type and its payload. */
typedef struct {
  uint32_t number;
  int wire;
  uint64_t varint;               /* WIRE_VARINT */
  const unsigned char *bytes;    /* WIRE_LEN / FIXED32 / FIXED64 payload */
  size_t length;                 /* payload size in bytes */
} pb_field_t;

/* Reads a varint of at most 10 bytes. Returns NULL or an error reason. */
static const char *read_varint(pb_cursor_t *c, uint64_t *out) {
  uint64_t value = 0;
  int shift;
  for (shift = 0; shift < 70; shift += 7) {
    unsigned char b;
    if (c->p >= c->end)
      return "truncated varint";
    b = *c->p++;
    if (shift == 63 && (b & 0x7e) != 0)
      return "varint overflows 64 bits";
    value |= (uint64_t)(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = value;
      return NULL;
    }
  }
  return "varint longer than 10 bytes";
}

/* Reads the next field. Returns NULL or an error reason. */
static const char *read_field(pb_cursor_t *c, pb_field_t *f) {
  uint64_t key, length;
  const char *why = read_varint(c, &key);
  if (why)
    return why;
  if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
    return "invalid field number";
  f->number = (uint32_t)(key >> 3);
  f->wire = (int)(key & 7);
  f->varint = 0;
  f->bytes = NULL;
  f->length = 0;
  switch (f->wire) {
  case WIRE_VARINT:
    return read_varint(c, &f->varint);
  case WIRE_FIXED64:
  case WIRE_FIXED32:
    f->length = f->wire == WIRE_FIXED64 ? 8 : 4;
    if ((size_t)(c->end - c->p) < f->length)
      return "truncated fixed-size field";
    f->bytes = c->p;
    c->p += f->length;
    return NULL;
  case WIRE_LEN:
    if ((why = read_varint(c, &length)) != NULL)
      return why;
    if (length > (uint64_t)(c->end - c->p))
      return "truncated length-delimited field";
    f->bytes = c->p;
    f->length = (size_t)length;
    c->p += f->length;
    return NULL;
  case 3:
  case 4:
    return "groups (wire types 3/4) are not supported";
  default:
    return "invalid wire type";
  }
}

static uint32_t load_le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint64_t load_le64(const unsigned char *p) {
  return (uint64_t)load_le32(p) | (uint64_t)load_le32(p + 4) << 32;
}

/* Counts the varints in a packed payload; NULL or an error reason. */
static const char *count_packed_varints(const pb_field_t *f, uint64_t *count) {
  pb_cursor_t c;
  uint64_t v;
  const char *why;
  c.p = f->bytes;
  c.end = f->bytes + f->length;
  while (c.p < c.end) {
    if ((why = read_varint(&c, &v)) != NULL)
      return why;
    ++*count;
  }
  return NULL;
}

static const char *field_name(uint32_t number) {
  switch (number) {
  case FIELD_DIMS: return "dims";
  case FIELD_DATA_TYPE: return "data_type";
  case FIELD_FLOAT_DATA: return "float_data";
  case FIELD_INT32_DATA: return "int32_data";
  case FIELD_INT64_DATA: return "int64_data";
  case FIELD_NAME: return "name";
  case FIELD_RAW_DATA: return "raw_data";
  case FIELD_DOUBLE_DATA: return "double_data";
  case FIELD_UINT64_DATA: return "uint64_data";
  case FIELD_DATA_LOCATION: return "data_location";
  default: return "?";
  }
}

/* The typed field that holds values of `dtype` (ONNX's rules), or 0. */
static uint32_t typed_field_for(int32_t dtype) {
  switch (dtype) {
  case EDGERT_F32: return FIELD_FLOAT_DATA;
  case EDGERT_I32: case EDGERT_I16: case EDGERT_I8: case EDGERT_U16:
  case EDGERT_U8: case EDGERT_BOOL: case EDGERT_F16: case EDGERT_BF16:
  case EDGERT_F8E4M3FN: case EDGERT_F8E4M3FNUZ: case EDGERT_F8E5M2:
  case EDGERT_F8E5M2FNUZ: case EDGERT_F8E8M0: case EDGERT_U4: case EDGERT_I4:
  case EDGERT_F4E2M1: case EDGERT_U2: case EDGERT_I2:
    return FIELD_INT32_DATA;
  case EDGERT_I64: return FIELD_INT64_DATA;
  case EDGERT_F64: return FIELD_DOUBLE_DATA;
  case EDGERT_U32: case EDGERT_U64: return FIELD_UINT64_DATA;
  default: return 0;
  }
}

/* The bits of a value of `dtype` that ONNX packs several to a byte (raw
 * data, or one byte per int32_data entry; the first value in the low bits):
 * 4 or 2, or 0 for a type stored whole. */
static unsigned packed_bits(int32_t dtype) {
  switch (dtype) {
  case EDGERT_U4: case EDGERT_I4: case EDGERT_F4E2M1: return 4;
  case EDGERT_U2: case EDGERT_I2: return 2;
  default: return 0;
  }
}

/* Unpacks `count` values of `bits` bits, packed at the start of `data`,
 * in place to one per byte (edgert.h's layout): sign-extended for INT4 and
 * INT2, zero-extended otherwise. Backwards, so no packed byte is
 * overwritten before it is read. */
static void unpack_in_place(unsigned char *data, uint64_t count,
                            unsigned bits, int is_signed) {
  uint64_t k, per = 8 / bits;
  unsigned mask = (1u << bits) - 1;
  for (k = count; k-- > 0;) {
    unsigned v = (data[k / per] >> (bits * (unsigned)(k % per))) & mask;
    if (is_signed && (v >> (bits - 1)))
      v |= ~mask & 0xFFu;
    data[k] = (unsigned char)v;
  }
}

/* Stores the k-th value (a varint or fixed-size payload) into dst. */
static void store_value(int32_t dtype, unsigned char *dst, uint64_t bits) {
  size_t n = edgert_dtype_size(dtype);
  union {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
  } v;
  switch (n) {
  case 1: v.u8 = (uint8_t)(dtype == EDGERT_BOOL ? bits != 0 : bits); break;
  case 2: v.u16 = (uint16_t)bits; break;
  case 4: v.u32 = (uint32_t)bits; break;
  default: v.u64 = bits; break;
  }
  memcpy(dst, &v, n);
}

typedef struct {
  int32_t dtype;
  int has_dtype;
  int32_t rank;
  int64_t shape[EDGERT_RUNNER_MAX_RANK];
  const unsigned char *raw;
  size_t raw_size;
  int has_raw;
  uint64_t counts[16]; /* values seen per typed field number */
} pb_summary_t;

static edgert_status_t add_dim(pb_summary_t *s, uint64_t v,
                               edgert_error_t *err) {
  if ((int64_t)v < 0)
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "negative dimension %lld", (long long)(int64_t)v);
  if (s->rank >= EDGERT_RUNNER_MAX_RANK)
    return edgert_internal_fail(err, EDGERT_ERR_UNSUPPORTED,
                                "rank above %d is not supported",
                                EDGERT_RUNNER_MAX_RANK);
  s->shape[s->rank++] = (int64_t)v;
  return EDGERT_OK;
}

/* Pass 1: validates the message and fills the summary. */
static edgert_status_t scan(pb_cursor_t c, pb_summary_t *s,
                            edgert_error_t *err) {
  while (c.p < c.end) {
    pb_field_t f;
    const char *why = read_field(&c, &f);
    edgert_status_t st;
    if (why)
      return edgert_internal_fail(err, EDGERT_ERR_FORMAT, "%s", why);
    switch (f.number) {
    case FIELD_DIMS:
      if (f.wire == WIRE_VARINT) {
        if ((st = add_dim(s, f.varint, err)) != EDGERT_OK)
          return st;
      } else if (f.wire == WIRE_LEN) {
        pb_cursor_t packed;
        uint64_t v;
        packed.p = f.bytes;
        packed.end = f.bytes + f.length;
        while (packed.p < packed.end) {
          if ((why = read_varint(&packed, &v)) != NULL)
            return edgert_internal_fail(err, EDGERT_ERR_FORMAT, "dims: %s", why);
          if ((st = add_dim(s, v, err)) != EDGERT_OK)
            return st;
        }
      } else {
        goto bad_wire;
      }
      break;
    case FIELD_DATA_TYPE:
      if (f.wire != WIRE_VARINT)
        goto bad_wire;
      if (f.varint > INT32_MAX)
        return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                    "invalid data_type %llu",
                                    (unsigned long long)f.varint);
      s->dtype = (int32_t)f.varint;
      s->has_dtype = 1;
      break;
    case FIELD_INT32_DATA:
    case FIELD_INT64_DATA:
    case FIELD_UINT64_DATA:
      if (f.wire == WIRE_VARINT) {
        ++s->counts[f.number];
      } else if (f.wire == WIRE_LEN) {
        if ((why = count_packed_varints(&f, &s->counts[f.number])) != NULL)
          return edgert_internal_fail(err, EDGERT_ERR_FORMAT, "%s: %s",
                                      field_name(f.number), why);
      } else {
        goto bad_wire;
      }
      break;
    case FIELD_FLOAT_DATA:
    case FIELD_DOUBLE_DATA: {
      size_t n = f.number == FIELD_FLOAT_DATA ? 4 : 8;
      int wire = n == 4 ? WIRE_FIXED32 : WIRE_FIXED64;
      if (f.wire == wire) {
        ++s->counts[f.number];
      } else if (f.wire == WIRE_LEN) {
        if (f.length % n != 0)
          return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                      "packed %s is %zu bytes, not a multiple "
                                      "of %zu",
                                      field_name(f.number), f.length, n);
        s->counts[f.number] += f.length / n;
      } else {
        goto bad_wire;
      }
      break;
    }
    case FIELD_NAME:
      if (f.wire != WIRE_LEN)
        goto bad_wire;
      break;
    case FIELD_RAW_DATA:
      if (f.wire != WIRE_LEN)
        goto bad_wire;
      s->raw = f.bytes; /* the last occurrence wins, as in protobuf */
      s->raw_size = f.length;
      s->has_raw = 1;
      break;
    case FIELD_DATA_LOCATION:
      if (f.wire != WIRE_VARINT)
        goto bad_wire;
      if (f.varint == 1)
        return edgert_internal_fail(err, EDGERT_ERR_UNSUPPORTED,
                                    "external data not supported");
      break;
    default:
      break; /* unknown field: already skipped by read_field */
    }
    continue;
  bad_wire:
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "field %s has the wrong wire type %d",
                                field_name(f.number), f.wire);
  }
  return EDGERT_OK;
}

/* Pass 2: copies the values of typed field `number` into dst. The message
 * was validated by scan(). */
static void copy_typed(pb_cursor_t c, uint32_t number, int32_t dtype,
                       unsigned char *dst) {
  size_t elem = edgert_dtype_size(dtype), k = 0;
  while (c.p < c.end) {
    pb_field_t f;
    if (read_field(&c, &f) != NULL)
      return;
    if (f.number != number)
      continue;
    if (f.wire == WIRE_VARINT) {
      store_value(dtype, dst + elem * k++, f.varint);
    } else if (f.wire == WIRE_FIXED32) {
      store_value(dtype, dst + elem * k++, load_le32(f.bytes));
    } else if (f.wire == WIRE_FIXED64) {
      store_value(dtype, dst + elem * k++, load_le64(f.bytes));
    } else if (number == FIELD_FLOAT_DATA || number == FIELD_DOUBLE_DATA) {
      size_t n = number == FIELD_FLOAT_DATA ? 4 : 8, i;
      for (i = 0; i + n <= f.length; i += n)
        store_value(dtype, dst + elem * k++,
                    n == 4 ? load_le32(f.bytes + i) : load_le64(f.bytes + i));
    } else {
      pb_cursor_t packed;
      uint64_t v;
      packed.p = f.bytes;
      packed.end = f.bytes + f.length;
      while (packed.p < packed.end && read_varint(&packed, &v) == NULL)
        store_value(dtype, dst + elem * k++, v);
    }
  }
}

edgert_status_t edgert_tensor_pb_parse(const void *bytes, size_t size,
                                       edgert_host_tensor_t *out_tensor,
                                       edgert_error_t *out_error) {
  pb_cursor_t c;
  pb_summary_t s;
  edgert_host_tensor_t t;
  uint64_t count, needed, stored, typed_total = 0;
  unsigned bits;
  uint32_t wanted, number;
  edgert_status_t st;

  if (out_tensor == NULL || (bytes == NULL && size > 0))
    return edgert_internal_fail(out_error, EDGERT_ERR_NULL_ARGUMENT,
                                "NULL argument");
  memset(out_tensor, 0, sizeof *out_tensor);
  memset(&s, 0, sizeof s);
  memset(&t, 0, sizeof t);
  c.p = (const unsigned char *)bytes;
  c.end = c.p + size;
  if ((st = scan(c, &s, out_error)) != EDGERT_OK)
    return st;

  if (!s.has_dtype || s.dtype == 0)
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "no data_type");
  wanted = typed_field_for(s.dtype);
  if (wanted == 0)
    return edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                                "unsupported data_type %d", (int)s.dtype);
  if (!edgert_internal_tensor_size(s.dtype, s.rank, s.shape, &count, &needed))
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "the shape's size overflows");
  for (number = 0; number < 16; ++number) {
    if (s.counts[number] == 0)
      continue;
    if (number != wanted)
      return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                  "%s holds values but data_type is %s",
                                  field_name(number),
                                  edgert_dtype_name(s.dtype));
    typed_total += s.counts[number];
  }
  bits = packed_bits(s.dtype);
  stored = bits ? (count + 8 / bits - 1) / (8 / bits) : count;
  if (s.has_raw && typed_total > 0)
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "both raw_data and %s are set",
                                field_name(wanted));
  if (s.has_raw && (uint64_t)s.raw_size != (bits ? stored : needed))
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "raw_data holds %llu bytes, its shape needs "
                                "%llu",
                                (unsigned long long)s.raw_size,
                                (unsigned long long)(bits ? stored : needed));
  if (!s.has_raw && typed_total != stored)
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "holds %llu values, its shape needs %llu",
                                (unsigned long long)typed_total,
                                (unsigned long long)stored);

  t.dtype = s.dtype;
  t.rank = s.rank;
  memcpy(t.shape, s.shape, sizeof t.shape);
  t.size_bytes = needed;
  t.data = edgert_internal_alloc(needed);
  if (t.data == NULL)
    return edgert_internal_fail(out_error, EDGERT_ERR_OUT_OF_MEMORY,
                                "out of memory (%llu bytes)",
                                (unsigned long long)needed);
  if (s.has_raw) {
    if (s.raw_size > 0)
      memcpy(t.data, s.raw, s.raw_size);
  } else if (count > 0) {
    copy_typed(c, wanted, s.dtype, (unsigned char *)t.data);
  }
  if (bits)
    unpack_in_place((unsigned char *)t.data, count, bits,
                    s.dtype == EDGERT_I4 || s.dtype == EDGERT_I2);
  *out_tensor = t;
  return EDGERT_OK;
}
