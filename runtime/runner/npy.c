/* npy.c - reading and writing numpy .npy files for the runner.
 *
 * Format: "\x93NUMPY", major, minor, header length (2 bytes little-endian in
 * version 1.0, 4 bytes in 2.0/3.0), then an ASCII Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
 * spaces and a final '\n', then the raw C-order data. */
#define _POSIX_C_SOURCE 200809L
#include "runner_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* numpy type code (without the byte-order character) <-> element type. */
static const struct {
  const char *code;
  int32_t dtype;
} kTypeCodes[] = {
    {"f4", EDGERT_F32}, {"f8", EDGERT_F64}, {"f2", EDGERT_F16},
    {"i1", EDGERT_I8},  {"u1", EDGERT_U8},  {"i2", EDGERT_I16},
    {"u2", EDGERT_U16}, {"i4", EDGERT_I32}, {"u4", EDGERT_U32},
    {"i8", EDGERT_I64}, {"u8", EDGERT_U64}, {"b1", EDGERT_BOOL},
};

/* ---- reading ------------------------------------------------------------ */

typedef struct {
  const char *p, *end;
} text_cursor_t;

static void skip_spaces(text_cursor_t *c) {
  while (c->p < c->end &&
         (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
    ++c->p;
}

static int accept_char(text_cursor_t *c, char ch) {
  skip_spaces(c);
  if (c->p < c->end && *c->p == ch) {
    ++c->p;
    return 1;
  }
  return 0;
}

/* Reads a '...' or "..." string literal (no escapes) into buf. */
static int read_string(text_cursor_t *c, char *buf, size_t size) {
  char quote;
  size_t n = 0;
  skip_spaces(c);
  if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
    return 0;
  quote = *c->p++;
  while (c->p < c->end && *c->p != quote) {
    if (*c->p == '\\' || n + 1 >= size)
      return 0;
    buf[n++] = *c->p++;
  }
  if (c->p >= c->end)
    return 0;
  ++c->p;
  buf[n] = '\0';
  return 1;
}

static int accept_word(text_cursor_t *c, const char *word) {
  size_t n = strlen(word);
  skip_spaces(c);
  if ((size_t)(c->end - c->p) >= n && memcmp(c->p, word, n) == 0) {
    c->p += n;
    return 1;
  }
  return 0;
}

/* Parses "(2, 3)", "(3,)" or "()" into shape/rank. */
static edgert_status_t read_shape(text_cursor_t *c, edgert_host_tensor_t *t,
                                  edgert_error_t *err) {
  if (!accept_char(c, '('))
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "'shape' is not a tuple");
  t->rank = 0;
  for (;;) {
    int64_t value = 0;
    int digits = 0;
    if (accept_char(c, ')'))
      return EDGERT_OK;
    skip_spaces(c);
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
      int d = *c->p++ - '0';
      if (value > (INT64_MAX - d) / 10)
        return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                    "dimension too large in 'shape'");
      value = value * 10 + d;
      ++digits;
    }
    if (!digits)
      return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                  "malformed 'shape' tuple");
    if (c->p < c->end && *c->p == 'L') /* Python 2 long literal */
      ++c->p;
    if (t->rank >= EDGERT_RUNNER_MAX_RANK)
      return edgert_internal_fail(err, EDGERT_ERR_UNSUPPORTED,
                                  "rank above %d is not supported",
                                  EDGERT_RUNNER_MAX_RANK);
    t->shape[t->rank++] = value;
    if (accept_char(c, ')'))
      return EDGERT_OK;
    if (!accept_char(c, ','))
      return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                  "malformed 'shape' tuple");
  }
}

/* Maps a descr such as '<f4' to an element type. */
static edgert_status_t read_descr(const char *descr, int32_t *out_dtype,
                                  edgert_error_t *err) {
  size_t i;
  char order = descr[0];
  const char *code = descr + 1;
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    order = '=';
    code = descr;
  }
  for (i = 0; i < sizeof kTypeCodes / sizeof kTypeCodes[0]; ++i) {
    if (strcmp(code, kTypeCodes[i].code) == 0) {
      if (order == '>' && edgert_dtype_size(kTypeCodes[i].dtype) > 1)
        return edgert_internal_fail(err, EDGERT_ERR_UNSUPPORTED,
                                    "big-endian descr '%s' is not supported",
                                    descr);
      /* '=' (native) is little-endian on every host edgec supports. */
      *out_dtype = kTypeCodes[i].dtype;
      return EDGERT_OK;
    }
  }
  if (strcmp(code, "?") == 0) {
    *out_dtype = EDGERT_BOOL;
    return EDGERT_OK;
  }
  return edgert_internal_fail(err, EDGERT_ERR_UNSUPPORTED,
                              "unsupported element type descr '%s'", descr);
}

/* Parses the header dict into t->dtype / t->rank / t->shape. */
static edgert_status_t read_header(const char *text, size_t size,
                                   edgert_host_tensor_t *t,
                                   edgert_error_t *err) {
  text_cursor_t c;
  int have_descr = 0, have_order = 0, have_shape = 0;
  edgert_status_t st;
  c.p = text;
  c.end = text + size;
  if (!accept_char(&c, '{'))
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "header is not a Python dict");
  while (!accept_char(&c, '}')) {
    char key[32], value[32];
    if (!read_string(&c, key, sizeof key) || !accept_char(&c, ':'))
      return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                  "malformed header dict");
    if (strcmp(key, "descr") == 0 && !have_descr) {
      if (!read_string(&c, value, sizeof value))
        return edgert_internal_fail(
            err, EDGERT_ERR_UNSUPPORTED,
            "'descr' is not a simple type string (structured arrays are not "
            "supported)");
      if ((st = read_descr(value, &t->dtype, err)) != EDGERT_OK)
        return st;
      have_descr = 1;
    } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
      if (accept_word(&c, "True"))
        return edgert_internal_fail(
            err, EDGERT_ERR_UNSUPPORTED,
            "fortran_order is True (only C-order arrays are supported)");
      if (!accept_word(&c, "False"))
        return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                    "'fortran_order' is not True or False");
      have_order = 1;
    } else if (strcmp(key, "shape") == 0 && !have_shape) {
      if ((st = read_shape(&c, t, err)) != EDGERT_OK)
        return st;
      have_shape = 1;
    } else {
      return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                  "unexpected or repeated key '%s' in header",
                                  key);
    }
    if (!accept_char(&c, ',')) {
      if (!accept_char(&c, '}'))
        return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                    "malformed header dict");
      break;
    }
  }
  skip_spaces(&c);
  if (c.p != c.end)
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "unexpected text after the header dict");
  if (!have_descr)
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "header has no 'descr'");
  if (!have_order)
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "header has no 'fortran_order'");
  if (!have_shape)
    return edgert_internal_fail(err, EDGERT_ERR_FORMAT,
                                "header has no 'shape'");
  return EDGERT_OK;
}

edgert_status_t edgert_npy_parse(const void *bytes, size_t size,
                                 edgert_host_tensor_t *out_tensor,
                                 edgert_error_t *out_error) {
  const unsigned char *b = (const unsigned char *)bytes;
  size_t header_len, offset, data_size;
  uint64_t count, needed;
  edgert_host_tensor_t t;
  edgert_status_t st;

  if (out_tensor == NULL || (bytes == NULL && size > 0))
    return edgert_internal_fail(out_error, EDGERT_ERR_NULL_ARGUMENT,
                                "NULL argument");
  memset(out_tensor, 0, sizeof *out_tensor);
  memset(&t, 0, sizeof t);
  if (size < 6 || memcmp(b, kMagic, 6) != 0)
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "missing the \\x93NUMPY magic");
  if (size < 10)
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "truncated header");
  if (b[6] == 1) {
    header_len = (size_t)b[8] | (size_t)b[9] << 8;
    offset = 10;
  } else if (b[6] == 2 || b[6] == 3) {
    if (size < 12)
      return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                  "truncated header");
    header_len = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 |
                 (size_t)b[11] << 24;
    offset = 12;
  } else {
    return edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                                "unsupported format version %u.%u",
                                (unsigned)b[6], (unsigned)b[7]);
  }
  if (header_len > size - offset)
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "truncated header");
  st = read_header((const char *)b + offset, header_len, &t, out_error);
  if (st != EDGERT_OK)
    return st;
  offset += header_len;
  if (!edgert_internal_tensor_size(t.dtype, t.rank, t.shape, &count, &needed))
    return edgert_internal_fail(out_error, EDGERT_ERR_FORMAT,
                                "the shape's size overflows");
  data_size = size - offset;
  if ((uint64_t)data_size != needed)
    return edgert_internal_fail(
        out_error, EDGERT_ERR_FORMAT, "holds %llu data bytes, its shape needs %llu",
        (unsigned long long)data_size, (unsigned long long)needed);
  t.size_bytes = needed;
  t.data = edgert_internal_alloc(needed);
  if (t.data == NULL)
    return edgert_internal_fail(out_error, EDGERT_ERR_OUT_OF_MEMORY,
                                "out of memory (%llu bytes)",
                                (unsigned long long)needed);
  if (needed > 0)
    memcpy(t.data, b + offset, (size_t)needed);
  *out_tensor = t;
  return EDGERT_OK;
}

/* ---- writing ------------------------------------------------------------ */

edgert_status_t edgert_npy_write(const char *path,
                                 const edgert_tensor_desc_t *desc,
                                 const void *data, edgert_error_t *out_error) {
  char header[64 + 24 * EDGERT_RUNNER_MAX_RANK + 64];
  unsigned char prefix[10];
  const char *code = NULL;
  char order;
  size_t len, total, i;
  uint64_t count, bytes;
  FILE *f;
  int ok;

  if (path == NULL || desc == NULL || (data == NULL && desc->size_bytes > 0))
    return edgert_internal_fail(out_error, EDGERT_ERR_NULL_ARGUMENT,
                                "NULL argument");
  if (desc->rank < 0 || desc->rank > EDGERT_RUNNER_MAX_RANK ||
      (desc->rank > 0 && desc->shape == NULL))
    return edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                                "cannot write '%s': unsupported rank %d", path,
                                (int)desc->rank);
  for (i = 0; i < sizeof kTypeCodes / sizeof kTypeCodes[0]; ++i)
    if (kTypeCodes[i].dtype == desc->dtype)
      code = kTypeCodes[i].code;
  switch (desc->dtype) { /* numpy has no such types: keep the raw bits */
  case EDGERT_BF16:
    code = "u2";
    break;
  case EDGERT_F8E4M3FN: case EDGERT_F8E4M3FNUZ: case EDGERT_F8E5M2:
  case EDGERT_F8E5M2FNUZ: case EDGERT_F4E2M1: case EDGERT_F8E8M0:
  case EDGERT_U4: case EDGERT_U2:
    code = "u1"; /* the codes; uint4 / uint2 values zero-extended */
    break;
  case EDGERT_I4: case EDGERT_I2:
    code = "i1"; /* values sign-extended */
    break;
  default:
    break;
  }
  if (code == NULL)
    return edgert_internal_fail(out_error, EDGERT_ERR_UNSUPPORTED,
                                "cannot write '%s': element type %s has no "
                                ".npy equivalent",
                                path, edgert_dtype_name(desc->dtype));
  if (!edgert_internal_tensor_size(desc->dtype, desc->rank, desc->shape, &count,
                                   &bytes) ||
      bytes != desc->size_bytes)
    return edgert_internal_fail(out_error, EDGERT_ERR_BAD_MODEL,
                                "cannot write '%s': size_bytes %llu does not "
                                "match the shape",
                                path, (unsigned long long)desc->size_bytes);
  order = code[1] == '1' ? '|' : '<';

  len = (size_t)sprintf(header, "{'descr': '%c%s', 'fortran_order': False, "
                                "'shape': (",
                        order, code);
  for (i = 0; i < (size_t)desc->rank; ++i)
    len += (size_t)sprintf(header + len, "%s%lld", i ? ", " : "",
                           (long long)desc->shape[i]);
  len += (size_t)sprintf(header + len, "%s), }", desc->rank == 1 ? "," : "");
  /* Pad with spaces and a final '\n' so the data starts 64-byte aligned. */
  total = (sizeof prefix + len + 1 + 63) / 64 * 64;
  while (sizeof prefix + len + 1 < total)
    header[len++] = ' ';
  header[len++] = '\n';

  memcpy(prefix, kMagic, 6);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix[8] = (unsigned char)(len & 0xff);
  prefix[9] = (unsigned char)(len >> 8);

  errno = 0;
  f = fopen(path, "wb");
  if (f == NULL)
    return edgert_internal_fail(out_error, EDGERT_ERR_IO,
                                "cannot write '%s': %s", path, strerror(errno));
  errno = 0;
  ok = fwrite(prefix, 1, sizeof prefix, f) == sizeof prefix &&
       fwrite(header, 1, len, f) == len &&
       (desc->size_bytes == 0 ||
        fwrite(data, 1, (size_t)desc->size_bytes, f) == desc->size_bytes);
  if (fclose(f) != 0)
    ok = 0;
  if (!ok) {
    int saved = errno;
    remove(path);
    return edgert_internal_fail(out_error, EDGERT_ERR_IO,
                                "cannot write '%s': %s", path,
                                saved ? strerror(saved) : "write failed");
  }
  return EDGERT_OK;
}
