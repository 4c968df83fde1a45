/* tensor_io.c - .npy and ONNX TensorProto files for the runner. */
#define _POSIX_C_SOURCE 200809L
#include "edgert_runner.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static edgert_status_t fail(edgert_status_t status, char *error, size_t size,
                            const char *fmt, ...) {
  va_list ap;
  if (error && size) {
    va_start(ap, fmt);
    vsnprintf(error, size, fmt, ap);
    va_end(ap);
  }
  return status;
}

void edgert_tensor_free(edgert_host_tensor_t *tensor) {
  if (tensor) {
    free(tensor->data);
    tensor->data = NULL;
  }
}

static uint64_t element_count(const edgert_host_tensor_t *t) {
  uint64_t n = 1;
  int32_t i;
  for (i = 0; i < t->rank; ++i)
    n *= (uint64_t)t->shape[i];
  return n;
}

/* ---- .npy ------------------------------------------------------------ */

static const struct {
  const char *descr;
  int32_t dtype;
} kDescrs[] = {{"f4", EDGERT_F32}, {"f8", EDGERT_F64}, {"f2", EDGERT_F16},
               {"i1", EDGERT_I8},  {"u1", EDGERT_U8},  {"i2", EDGERT_I16},
               {"u2", EDGERT_U16}, {"i4", EDGERT_I32}, {"u4", EDGERT_U32},
               {"i8", EDGERT_I64}, {"u8", EDGERT_U64}, {"b1", EDGERT_BOOL}};

/* Finds the value after 'key': in a .npy header dict. */
static const char *dict_value(const char *header, const char *key) {
  char quoted[32];
  const char *p;
  snprintf(quoted, sizeof quoted, "'%s'", key);
  p = strstr(header, quoted);
  if (!p)
    return NULL;
  p = strchr(p + strlen(quoted), ':');
  if (!p)
    return NULL;
  ++p;
  while (*p == ' ')
    ++p;
  return p;
}

edgert_status_t edgert_npy_parse(const unsigned char *bytes, size_t size,
                                 char *error, size_t error_size,
                                 edgert_host_tensor_t *out) {
  size_t header_len, offset, i;
  char *header;
  const char *v;
  edgert_status_t status = EDGERT_OK;
  memset(out, 0, sizeof *out);
  if (size < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0)
    return fail(EDGERT_ERR_FORMAT, error, error_size, "missing .npy magic");
  if (bytes[6] == 1) {
    header_len = bytes[8] | (size_t)bytes[9] << 8;
    offset = 10;
  } else if (bytes[6] == 2 || bytes[6] == 3) {
    if (size < 12)
      return fail(EDGERT_ERR_FORMAT, error, error_size, "truncated header");
    header_len = bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 |
                 (size_t)bytes[11] << 24;
    offset = 12;
  } else {
    return fail(EDGERT_ERR_FORMAT, error, error_size,
                "unsupported .npy version %d", bytes[6]);
  }
  if (header_len > size - offset)
    return fail(EDGERT_ERR_FORMAT, error, error_size, "truncated header");
  header = (char *)malloc(header_len + 1);
  if (!header)
    return fail(EDGERT_ERR_IO, error, error_size, "out of memory");
  memcpy(header, bytes + offset, header_len);
  header[header_len] = '\0';

  v = dict_value(header, "descr");
  if (!v || (v[0] != '\'' && v[0] != '"') || strlen(v) < 5) {
    status = fail(EDGERT_ERR_FORMAT, error, error_size, "no 'descr' in header");
    goto done;
  }
  if (v[1] == '>' && v[3] != '1') {
    status = fail(EDGERT_ERR_FORMAT, error, error_size,
                  "big-endian data is not supported");
    goto done;
  }
  out->dtype = 0;
  for (i = 0; i < sizeof kDescrs / sizeof kDescrs[0]; ++i)
    if (strncmp(v + 2, kDescrs[i].descr, 2) == 0 && (v[4] == v[0]))
      out->dtype = kDescrs[i].dtype;
  if (!out->dtype) {
    status = fail(EDGERT_ERR_FORMAT, error, error_size,
                  "unsupported element type %.6s", v);
    goto done;
  }
  v = dict_value(header, "fortran_order");
  if (!v || strncmp(v, "False", 5) != 0) {
    status = fail(EDGERT_ERR_FORMAT, error, error_size,
                  "Fortran-ordered (or unmarked) arrays are not supported");
    goto done;
  }
  v = dict_value(header, "shape");
  if (!v || *v != '(') {
    status = fail(EDGERT_ERR_FORMAT, error, error_size, "no 'shape' in header");
    goto done;
  }
  ++v;
  out->rank = 0;
  while (*v && *v != ')') {
    char *end;
    long long d;
    while (*v == ' ' || *v == ',')
      ++v;
    if (*v == ')')
      break;
    d = strtoll(v, &end, 10);
    if (end == v || d < 0 || out->rank >= EDGERT_MAX_RANK) {
      status = fail(EDGERT_ERR_FORMAT, error, error_size, "malformed shape");
      goto done;
    }
    out->shape[out->rank++] = d;
    v = end;
  }
  offset += header_len;
  out->size_bytes = element_count(out) * edgert_dtype_size(out->dtype);
  if (size - offset != out->size_bytes) {
    status = fail(EDGERT_ERR_FORMAT, error, error_size,
                  "holds %zu data bytes, its shape needs %llu", size - offset,
                  (unsigned long long)out->size_bytes);
    goto done;
  }
  out->data = malloc(out->size_bytes ? out->size_bytes : 1);
  if (!out->data) {
    status = fail(EDGERT_ERR_IO, error, error_size, "out of memory");
    goto done;
  }
  memcpy(out->data, bytes + offset, out->size_bytes);
done:
  free(header);
  return status;
}

edgert_status_t edgert_npy_write(const char *path,
                                 const edgert_tensor_desc_t *desc,
                                 const void *data, char *error,
                                 size_t error_size) {
  char header[256], shape[160] = "";
  const char *descr = NULL;
  size_t i, len, total;
  FILE *f;
  for (i = 0; i < sizeof kDescrs / sizeof kDescrs[0]; ++i)
    if (kDescrs[i].dtype == desc->dtype)
      descr = kDescrs[i].descr;
  if (!descr)
    return fail(EDGERT_ERR_FORMAT, error, error_size,
                "cannot write element type %s", edgert_dtype_name(desc->dtype));
  for (i = 0; i < (size_t)desc->rank; ++i) {
    char dim[24];
    snprintf(dim, sizeof dim, "%lld,%s", (long long)desc->shape[i],
             desc->rank > 1 && i + 1 < (size_t)desc->rank ? " " : "");
    strncat(shape, dim, sizeof shape - strlen(shape) - 1);
  }
  if (desc->rank > 1)
    shape[strlen(shape) - 1] = '\0'; /* (1, 2) rather than (1, 2,) */
  len = (size_t)snprintf(header, sizeof header,
                         "{'descr': '%c%s', 'fortran_order': False, 'shape': (%s), }",
                         descr[1] == '1' ? '|' : '<', descr, shape);
  total = (10 + len + 1 + 63) / 64 * 64; /* pad so the data is 64-aligned */
  while (10 + len + 1 < total)
    header[len++] = ' ';
  header[len++] = '\n';
  f = fopen(path, "wb");
  if (!f)
    return fail(EDGERT_ERR_IO, error, error_size, "cannot write '%s': %s", path,
                strerror(errno));
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc((int)(len & 0xff), f);
  fputc((int)(len >> 8), f);
  fwrite(header, 1, len, f);
  fwrite(data, 1, desc->size_bytes, f);
  if (fclose(f) != 0)
    return fail(EDGERT_ERR_IO, error, error_size, "cannot write '%s': %s", path,
                strerror(errno));
  return EDGERT_OK;
}

/* ---- ONNX TensorProto (protobuf wire format) --------------------------- */

typedef struct {
  const unsigned char *p, *end;
} reader_t;

static int read_varint(reader_t *r, uint64_t *v) {
  int shift = 0;
  *v = 0;
  while (r->p < r->end && shift < 64) {
    unsigned char b = *r->p++;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return 1;
    shift += 7;
  }
  return 0;
}

/* Appends a scalar to a growable buffer. */
typedef struct {
  unsigned char *data;
  size_t size, cap;
} buffer_t;

static int push(buffer_t *b, const void *v, size_t n) {
  if (b->size + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    unsigned char *d;
    while (cap < b->size + n)
      cap *= 2;
    d = (unsigned char *)realloc(b->data, cap);
    if (!d)
      return 0;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->size, v, n);
  b->size += n;
  return 1;
}

edgert_status_t edgert_tensor_proto_parse(const unsigned char *bytes,
                                          size_t size, char *error,
                                          size_t error_size,
                                          edgert_host_tensor_t *out) {
  reader_t r = {bytes, bytes + size};
  buffer_t typed = {0, 0, 0};
  const unsigned char *raw = NULL;
  size_t raw_size = 0, elem;
  uint64_t typed_count = 0;
  int has_raw = 0;
  edgert_status_t status = EDGERT_OK;
  memset(out, 0, sizeof *out);
  while (r.p < r.end) {
    uint64_t key, v, len;
    int field, wire;
    if (!read_varint(&r, &key))
      goto truncated;
    field = (int)(key >> 3);
    wire = (int)(key & 7);
    if (wire == 0) {
      if (!read_varint(&r, &v))
        goto truncated;
      if (field == 1) {
        if (out->rank >= EDGERT_MAX_RANK)
          goto malformed;
        out->shape[out->rank++] = (int64_t)v;
      } else if (field == 2) {
        out->dtype = (int32_t)v;
      } else if (field == 14 && v == 1) {
        status = fail(EDGERT_ERR_FORMAT, error, error_size,
                      "external data is not supported");
        goto done;
      } else if (field == 5 || field == 7 || field == 11) {
        int64_t x = (int64_t)v;
        if (!push(&typed, &x, 8))
          goto oom;
        ++typed_count;
      }
    } else if (wire == 1 || wire == 5) {
      size_t n = wire == 1 ? 8 : 4;
      if ((size_t)(r.end - r.p) < n)
        goto truncated;
      if ((field == 4 && n == 4) || (field == 10 && n == 8)) {
        double d;
        if (n == 4) {
          float f;
          memcpy(&f, r.p, 4);
          d = f;
        } else {
          memcpy(&d, r.p, 8);
        }
        if (!push(&typed, &d, 8))
          goto oom;
        ++typed_count;
      }
      r.p += n;
    } else if (wire == 2) {
      const unsigned char *start;
      if (!read_varint(&r, &len) || len > (uint64_t)(r.end - r.p))
        goto truncated;
      start = r.p;
      r.p += len;
      if (field == 9) {
        raw = start;
        raw_size = (size_t)len;
        has_raw = 1;
      } else if (field == 1 || field == 5 || field == 7 || field == 11) {
        reader_t packed = {start, start + len};
        while (packed.p < packed.end) {
          if (!read_varint(&packed, &v))
            goto truncated;
          if (field == 1) {
            if (out->rank >= EDGERT_MAX_RANK)
              goto malformed;
            out->shape[out->rank++] = (int64_t)v;
          } else {
            int64_t x = (int64_t)v;
            if (!push(&typed, &x, 8))
              goto oom;
            ++typed_count;
          }
        }
      } else if (field == 4 || field == 10) {
        size_t n = field == 4 ? 4 : 8, k;
        if (len % n)
          goto malformed;
        for (k = 0; k < len; k += n) {
          double d;
          if (n == 4) {
            float f;
            memcpy(&f, start + k, 4);
            d = f;
          } else {
            memcpy(&d, start + k, 8);
          }
          if (!push(&typed, &d, 8))
            goto oom;
          ++typed_count;
        }
      }
    } else {
      goto malformed;
    }
  }
  elem = edgert_dtype_size(out->dtype);
  if (!elem) {
    status = fail(EDGERT_ERR_FORMAT, error, error_size,
                  "unsupported or missing data_type %d", out->dtype);
    goto done;
  }
  out->size_bytes = element_count(out) * elem;
  out->data = malloc(out->size_bytes ? out->size_bytes : 1);
  if (!out->data)
    goto oom;
  if (has_raw) {
    if (raw_size != out->size_bytes) {
      status = fail(EDGERT_ERR_FORMAT, error, error_size,
                    "raw_data holds %zu bytes, its shape needs %llu", raw_size,
                    (unsigned long long)out->size_bytes);
      goto done;
    }
    memcpy(out->data, raw, raw_size);
  } else {
    uint64_t k, count = element_count(out);
    if (typed_count != count) {
      status = fail(EDGERT_ERR_FORMAT, error, error_size,
                    "holds %llu values, its shape needs %llu",
                    (unsigned long long)typed_count, (unsigned long long)count);
      goto done;
    }
    for (k = 0; k < count; ++k) {
      unsigned char *dst = (unsigned char *)out->data + k * elem;
      int64_t iv;
      double dv;
      memcpy(&iv, typed.data + k * 8, 8);
      memcpy(&dv, typed.data + k * 8, 8);
      switch (out->dtype) {
      case EDGERT_F32: { float f = (float)dv; memcpy(dst, &f, 4); break; }
      case EDGERT_F64: memcpy(dst, &dv, 8); break;
      case EDGERT_I64: case EDGERT_U64: memcpy(dst, &iv, 8); break;
      case EDGERT_I32: case EDGERT_U32: { int32_t x = (int32_t)iv; memcpy(dst, &x, 4); break; }
      case EDGERT_I16: case EDGERT_U16: case EDGERT_F16: case EDGERT_BF16:
        { int16_t x = (int16_t)iv; memcpy(dst, &x, 2); break; }
      default: { int8_t x = (int8_t)iv; memcpy(dst, &x, 1); break; }
      }
    }
  }
  goto done;
truncated:
  status = fail(EDGERT_ERR_FORMAT, error, error_size, "truncated protobuf");
  goto done;
malformed:
  status = fail(EDGERT_ERR_FORMAT, error, error_size, "malformed protobuf");
  goto done;
oom:
  status = fail(EDGERT_ERR_IO, error, error_size, "out of memory");
done:
  free(typed.data);
  if (status != EDGERT_OK)
    edgert_tensor_free(out);
  return status;
}

edgert_status_t edgert_tensor_read(const char *path, char *error,
                                   size_t error_size,
                                   edgert_host_tensor_t *out) {
  FILE *f = fopen(path, "rb");
  unsigned char *bytes;
  long size;
  edgert_status_t status;
  char why[256];
  memset(out, 0, sizeof *out);
  if (!f)
    return fail(EDGERT_ERR_IO, error, error_size, "cannot open '%s': %s", path,
                strerror(errno));
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return fail(EDGERT_ERR_IO, error, error_size, "cannot read '%s'", path);
  }
  bytes = (unsigned char *)malloc((size_t)size + 1);
  if (!bytes || fread(bytes, 1, (size_t)size, f) != (size_t)size) {
    free(bytes);
    fclose(f);
    return fail(EDGERT_ERR_IO, error, error_size, "cannot read '%s'", path);
  }
  fclose(f);
  if (size >= 6 && memcmp(bytes, "\x93NUMPY", 6) == 0) {
    status = edgert_npy_parse(bytes, (size_t)size, why, sizeof why, out);
    if (status != EDGERT_OK)
      fail(status, error, error_size, "'%s': not a valid .npy file: %s", path, why);
  } else {
    status = edgert_tensor_proto_parse(bytes, (size_t)size, why, sizeof why, out);
    if (status != EDGERT_OK)
      fail(status, error, error_size,
           "'%s': neither a .npy file nor a valid ONNX TensorProto: %s", path, why);
  }
  free(bytes);
  return status;
}
