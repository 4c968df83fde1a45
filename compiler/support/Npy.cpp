//===- Npy.cpp - .npy and .npz readers ------------------------------------===//
//
// .npy: the magic "\x93NUMPY", a version, a header length (2 bytes in
// version 1, 4 in versions 2 and 3), then a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } and the data.
//
// .npz: a zip archive. Members are found through the central directory
// (with its zip64 extra fields, which np.savez writes); each member is
// stored or deflated (raw deflate, inflated with zlib).
//
//===----------------------------------------------------------------------===//
#include "compiler/support/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <zlib.h>

#include <cstring>

using namespace llvm;

namespace edgec {

namespace {
struct DtypeInfo {
  const char *code; // descr without the byte order
  int32_t dtype;
  const char *name;
  unsigned bytes;
};
const DtypeInfo kDtypes[] = {
    {"f4", 1, "float32", 4},  {"u1", 2, "uint8", 1},   {"i1", 3, "int8", 1},
    {"u2", 4, "uint16", 2},   {"i2", 5, "int16", 2},   {"i4", 6, "int32", 4},
    {"i8", 7, "int64", 8},    {"b1", 9, "bool", 1},    {"f2", 10, "float16", 2},
    {"f8", 11, "float64", 8}, {"u4", 12, "uint32", 4}, {"u8", 13, "uint64", 8},
};

/// The value of `key` in the header dict, up to the next top-level comma.
std::string headerValue(StringRef header, StringRef key) {
  for (char quote : {'\'', '"'}) {
    std::string k = std::string(1, quote) + key.str() + quote;
    size_t at = header.find(k);
    if (at == StringRef::npos)
      continue;
    StringRef rest = header.drop_front(at + k.size()).ltrim();
    if (!rest.consume_front(":"))
      return "";
    rest = rest.ltrim();
    if (rest.starts_with("(")) {
      size_t close = rest.find(')');
      return close == StringRef::npos ? "" : rest.take_front(close + 1).str();
    }
    size_t end = rest.find_first_of(",}");
    return rest.take_front(end).trim().str();
  }
  return "";
}

uint32_t le16(const unsigned char *p) { return p[0] | (p[1] << 8); }
uint32_t le32(const unsigned char *p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) |
         (uint32_t(p[3]) << 24);
}
uint64_t le64(const unsigned char *p) {
  return uint64_t(le32(p)) | (uint64_t(le32(p + 4)) << 32);
}
} // namespace

const char *dtypeName(int32_t dtype) {
  for (const DtypeInfo &d : kDtypes)
    if (d.dtype == dtype)
      return d.name;
  return "unknown";
}

std::string shapeString(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string parseNpy(StringRef bytes, NpyArray &out) {
  auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
  if (bytes.size() < 10 || std::memcmp(p, "\x93NUMPY", 6) != 0)
    return "not a .npy file (no \\x93NUMPY magic)";
  unsigned major = p[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = le16(p + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return "truncated .npy header";
    headerLen = le32(p + 8);
    headerStart = 12;
  } else {
    return "unsupported .npy version " + std::to_string(major);
  }
  if (headerStart + headerLen > bytes.size())
    return "truncated .npy header";
  StringRef header = bytes.substr(headerStart, headerLen);

  std::string descr = headerValue(header, "descr");
  if (descr.size() < 2)
    return "malformed .npy header (no 'descr')";
  descr = descr.substr(1, descr.size() - 2); // quotes
  if (descr.size() != 3 ||
      (descr[0] != '<' && descr[0] != '|' && descr[0] != '='))
    return "unsupported element type '" + descr +
           "' (little-endian numbers only)";
  const DtypeInfo *info = nullptr;
  for (const DtypeInfo &d : kDtypes)
    if (descr.substr(1) == d.code)
      info = &d;
  if (!info)
    return "unsupported element type '" + descr + "'";
  if (headerValue(header, "fortran_order") != "False")
    return "Fortran-order arrays are not supported (save a C-order array)";
  std::string shapeText = headerValue(header, "shape");
  if (shapeText.size() < 2 || shapeText.front() != '(')
    return "malformed .npy header (no 'shape')";
  out.shape.clear();
  SmallVector<StringRef> dims;
  StringRef(shapeText).drop_front().drop_back().split(dims, ',');
  uint64_t count = 1;
  for (StringRef d : dims) {
    d = d.trim();
    if (d.empty())
      continue;
    int64_t v;
    if (d.getAsInteger(10, v) || v < 0)
      return "malformed .npy shape " + shapeText;
    out.shape.push_back(v);
    count *= uint64_t(v);
  }
  uint64_t size = count * info->bytes;
  size_t dataStart = headerStart + headerLen;
  if (bytes.size() - dataStart < size)
    return "truncated .npy data (" + std::to_string(bytes.size() - dataStart) +
           " bytes for " + std::to_string(size) + ")";
  out.dtype = info->dtype;
  out.dtypeName = info->name;
  out.data.assign(bytes.data() + dataStart, bytes.data() + dataStart + size);
  return "";
}

std::string readNpyFile(StringRef path, NpyArray &out) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return buffer.getError().message();
  return parseNpy((*buffer)->getBuffer(), out);
}

static std::string inflateRaw(StringRef in, uint64_t size,
                              std::vector<char> &out) {
  out.resize(size);
  z_stream s;
  std::memset(&s, 0, sizeof s);
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
    return "zlib initialization failed";
  s.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  s.avail_in = uInt(in.size());
  s.next_out = reinterpret_cast<Bytef *>(out.data());
  s.avail_out = uInt(size);
  int rc = inflate(&s, Z_FINISH);
  inflateEnd(&s);
  if (rc != Z_STREAM_END || s.total_out != size)
    return "corrupt deflated member";
  return "";
}

std::string readNpzFile(StringRef path,
                        std::vector<std::pair<std::string, NpyArray>> &out) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!buffer)
    return buffer.getError().message();
  StringRef bytes = (*buffer)->getBuffer();
  auto *base = reinterpret_cast<const unsigned char *>(bytes.data());
  size_t n = bytes.size();

  // End of central directory: 22 bytes plus a comment of up to 64 KiB.
  size_t eocd = StringRef::npos;
  if (n >= 22) {
    size_t lowest = n - 22 > 65535 ? n - 22 - 65535 : 0;
    for (size_t i = n - 22 + 1; i-- > lowest;)
      if (le32(base + i) == 0x06054b50) {
        eocd = i;
        break;
      }
  }
  if (eocd == StringRef::npos)
    return "not an .npz file (no zip directory)";
  uint64_t entries = le16(base + eocd + 10);
  uint64_t dirOffset = le32(base + eocd + 16);
  // Zip64: the locator just before the end record points at the real one.
  if ((entries == 0xFFFF || dirOffset == 0xFFFFFFFF) && eocd >= 20 &&
      le32(base + eocd - 20) == 0x07064b50) {
    uint64_t rec = le64(base + eocd - 20 + 8);
    if (rec + 56 > n || le32(base + rec) != 0x06064b50)
      return "corrupt zip64 directory";
    entries = le64(base + rec + 32);
    dirOffset = le64(base + rec + 48);
  }
  size_t at = dirOffset;
  for (uint64_t e = 0; e < entries; ++e) {
    if (at + 46 > n || le32(base + at) != 0x02014b50)
      return "corrupt zip directory";
    unsigned method = le16(base + at + 10);
    uint64_t compressed = le32(base + at + 20);
    uint64_t size = le32(base + at + 24);
    unsigned nameLen = le16(base + at + 28), extraLen = le16(base + at + 30),
             commentLen = le16(base + at + 32);
    uint64_t local = le32(base + at + 42);
    if (at + 46 + nameLen + extraLen > n)
      return "corrupt zip directory";
    std::string name(bytes.data() + at + 46, nameLen);
    // Zip64 extra field: the 0xFFFFFFFF fields, in this order.
    const unsigned char *x = base + at + 46 + nameLen;
    for (unsigned off = 0; off + 4 <= extraLen;) {
      unsigned id = le16(x + off), len = le16(x + off + 2);
      if (id == 0x0001) {
        unsigned k = off + 4;
        if (size == 0xFFFFFFFF && k + 8 <= off + 4 + len)
          size = le64(x + k), k += 8;
        if (compressed == 0xFFFFFFFF && k + 8 <= off + 4 + len)
          compressed = le64(x + k), k += 8;
        if (local == 0xFFFFFFFF && k + 8 <= off + 4 + len)
          local = le64(x + k);
      }
      off += 4 + len;
    }
    at += 46 + nameLen + extraLen + commentLen;

    if (local + 30 > n || le32(base + local) != 0x04034b50)
      return "corrupt zip member '" + name + "'";
    uint64_t data =
        local + 30 + le16(base + local + 26) + le16(base + local + 28);
    if (data + compressed > n)
      return "truncated zip member '" + name + "'";
    StringRef raw = bytes.substr(data, compressed);
    std::vector<char> inflated;
    StringRef member;
    if (method == 0) {
      member = raw;
    } else if (method == 8) {
      std::string err = inflateRaw(raw, size, inflated);
      if (!err.empty())
        return err + " '" + name + "'";
      member = StringRef(inflated.data(), inflated.size());
    } else {
      return "member '" + name + "' uses zip compression method " +
             std::to_string(method) + " (stored and deflate are supported)";
    }
    StringRef stem(name);
    if (!stem.consume_back(".npy"))
      continue;
    NpyArray array;
    std::string err = parseNpy(member, array);
    if (!err.empty())
      return "member '" + name + "': " + err;
    out.emplace_back(stem.str(), std::move(array));
  }
  return "";
}

} // namespace edgec
