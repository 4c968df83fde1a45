// Unit tests of the .npy reader and writer.
#include "TestUtil.h"

#include "edgert_runner.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

using testutil::readFile;
using testutil::TempDir;
using testutil::writeFile;

namespace {

// A version 1.0 .npy image with the given header dict (padded) and data.
std::string npyImage(const std::string &dict, const std::string &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + data;
}

edgert_status_t parse(const std::string &bytes, edgert_host_tensor_t *t,
                      edgert_error_t *err) {
  return edgert_npy_parse(bytes.data(), bytes.size(), t, err);
}

TEST(Npy, RoundTripsFloat32) {
  TempDir dir;
  const int64_t shape[] = {2, 3};
  const edgert_tensor_desc_t desc = {"t", EDGERT_F32, 2, shape, 24};
  const float data[6] = {1, -2, 3.5f, 4e-3f, 5e10f, -0.0f};
  edgert_error_t err;
  ASSERT_EQ(edgert_npy_write(dir.file("a.npy").c_str(), &desc, data, &err),
            EDGERT_OK)
      << err.message;

  std::string bytes = readFile(dir.file("a.npy"));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  size_t headerLen = uint8_t(bytes[8]) | uint8_t(bytes[9]) << 8;
  EXPECT_EQ((10 + headerLen) % 64, 0u);
  std::string header = bytes.substr(10, headerLen);
  EXPECT_EQ(header.find("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2, 3), }"),
            0u)
      << header;
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(bytes.size(), 10 + headerLen + 24);

  edgert_host_tensor_t t;
  ASSERT_EQ(edgert_tensor_read_file(dir.file("a.npy").c_str(), &t, &err),
            EDGERT_OK)
      << err.message;
  EXPECT_EQ(t.dtype, EDGERT_F32);
  ASSERT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 3);
  ASSERT_EQ(t.size_bytes, 24u);
  EXPECT_EQ(std::memcmp(t.data, data, 24), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % 64, 0u);
  edgert_host_tensor_free(&t);
  EXPECT_EQ(t.data, nullptr);
  edgert_host_tensor_free(&t); // twice is harmless
}

TEST(Npy, RoundTripsInt64) {
  TempDir dir;
  const int64_t shape[] = {4};
  const edgert_tensor_desc_t desc = {"t", EDGERT_I64, 1, shape, 32};
  const int64_t data[4] = {0, -1, INT64_MAX, INT64_MIN};
  edgert_error_t err;
  ASSERT_EQ(edgert_npy_write(dir.file("i.npy").c_str(), &desc, data, &err),
            EDGERT_OK);
  EXPECT_NE(readFile(dir.file("i.npy")).find("'descr': '<i8'"),
            std::string::npos);
  EXPECT_NE(readFile(dir.file("i.npy")).find("'shape': (4,)"),
            std::string::npos);
  edgert_host_tensor_t t;
  ASSERT_EQ(edgert_tensor_read_file(dir.file("i.npy").c_str(), &t, &err),
            EDGERT_OK)
      << err.message;
  EXPECT_EQ(t.dtype, EDGERT_I64);
  ASSERT_EQ(t.rank, 1);
  EXPECT_EQ(t.shape[0], 4);
  ASSERT_EQ(t.size_bytes, 32u);
  EXPECT_EQ(std::memcmp(t.data, data, 32), 0);
  edgert_host_tensor_free(&t);
}

TEST(Npy, RoundTripsScalar) {
  TempDir dir;
  const edgert_tensor_desc_t desc = {"s", EDGERT_F64, 0, nullptr, 8};
  const double value = 3.25;
  edgert_error_t err;
  ASSERT_EQ(edgert_npy_write(dir.file("s.npy").c_str(), &desc, &value, &err),
            EDGERT_OK);
  EXPECT_NE(readFile(dir.file("s.npy")).find("'shape': ()"), std::string::npos);
  edgert_host_tensor_t t;
  ASSERT_EQ(edgert_tensor_read_file(dir.file("s.npy").c_str(), &t, &err),
            EDGERT_OK)
      << err.message;
  EXPECT_EQ(t.dtype, EDGERT_F64);
  EXPECT_EQ(t.rank, 0);
  ASSERT_EQ(t.size_bytes, 8u);
  EXPECT_EQ(*static_cast<double *>(t.data), 3.25);
  edgert_host_tensor_free(&t);
}

TEST(Npy, WritesByteOrderMarks) {
  TempDir dir;
  const int64_t shape[] = {1};
  struct Case {
    int32_t dtype;
    const char *descr;
  } cases[] = {{EDGERT_I8, "'|i1'"},  {EDGERT_U8, "'|u1'"},
               {EDGERT_BOOL, "'|b1'"}, {EDGERT_I32, "'<i4'"},
               {EDGERT_F64, "'<f8'"},  {EDGERT_F16, "'<f2'"},
               {EDGERT_U16, "'<u2'"},  {EDGERT_U64, "'<u8'"}};
  const unsigned char zeros[8] = {};
  for (const Case &c : cases) {
    edgert_tensor_desc_t desc = {"t", c.dtype, 1, shape,
                                 edgert_dtype_size(c.dtype)};
    edgert_error_t err;
    std::string path = dir.file("t.npy");
    ASSERT_EQ(edgert_npy_write(path.c_str(), &desc, zeros, &err), EDGERT_OK);
    EXPECT_NE(readFile(path).find(c.descr), std::string::npos) << c.descr;
    edgert_host_tensor_t t;
    ASSERT_EQ(edgert_tensor_read_file(path.c_str(), &t, &err), EDGERT_OK)
        << err.message;
    EXPECT_EQ(t.dtype, c.dtype);
    edgert_host_tensor_free(&t);
  }
}

TEST(Npy, ReadsOtherHeaderSpellings) {
  // Other key order, double quotes, no trailing comma, version 2.0.
  int32_t data[3] = {7, -8, 9};
  std::string image =
      npyImage("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<i4\"}",
               testutil::bytesOf(data, 3));
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(parse(image, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(t.dtype, EDGERT_I32);
  ASSERT_EQ(t.rank, 1);
  EXPECT_EQ(t.shape[0], 3);
  EXPECT_EQ(std::memcmp(t.data, data, 12), 0);
  edgert_host_tensor_free(&t);

  std::string v1 = npyImage("{'descr': '|u1', 'fortran_order': False, "
                            "'shape': (2, 0), }",
                            "");
  std::string v2 = v1.substr(0, 10) + std::string("\x00\x00", 2) +
                   v1.substr(10); // 4-byte little-endian header length
  v2[6] = 2;
  ASSERT_EQ(parse(v2, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(t.rank, 2);
  EXPECT_EQ(t.size_bytes, 0u);
  edgert_host_tensor_free(&t);
}

TEST(Npy, RejectsTruncatedFile) {
  float data[6] = {};
  std::string image = npyImage(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      testutil::bytesOf(data, 6));
  edgert_host_tensor_t t;
  edgert_error_t err;
  // Every proper prefix fails: in the magic, the header or the data.
  for (size_t n = 0; n < image.size(); ++n) {
    EXPECT_EQ(parse(image.substr(0, n), &t, &err), EDGERT_ERR_FORMAT) << n;
    EXPECT_EQ(t.data, nullptr);
  }
  ASSERT_EQ(parse(image.substr(0, image.size() - 4), &t, &err),
            EDGERT_ERR_FORMAT);
  EXPECT_STREQ(err.message, "holds 20 data bytes, its shape needs 24");
  // Too much data is an error too.
  EXPECT_EQ(parse(image + "xxxx", &t, &err), EDGERT_ERR_FORMAT);
}

TEST(Npy, RejectsFortranOrder) {
  std::string image = npyImage(
      "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "abcd");
  edgert_host_tensor_t t;
  edgert_error_t err;
  EXPECT_NE(parse(image, &t, &err), EDGERT_OK);
  EXPECT_NE(std::string(err.message).find("fortran_order"), std::string::npos)
      << err.message;
}

TEST(Npy, RejectsBigEndian) {
  std::string image = npyImage(
      "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd");
  edgert_host_tensor_t t;
  edgert_error_t err;
  EXPECT_NE(parse(image, &t, &err), EDGERT_OK);
  EXPECT_NE(std::string(err.message).find("big-endian"), std::string::npos)
      << err.message;
}

TEST(Npy, RejectsBadMagicAndHeaders) {
  edgert_host_tensor_t t;
  edgert_error_t err;
  std::string good = npyImage(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "abcd");
  ASSERT_EQ(parse(good, &t, &err), EDGERT_OK) << err.message;
  edgert_host_tensor_free(&t);

  std::string badMagic = good;
  badMagic[1] = 'X';
  EXPECT_EQ(parse(badMagic, &t, &err), EDGERT_ERR_FORMAT);
  EXPECT_NE(std::string(err.message).find("magic"), std::string::npos);

  std::string badVersion = good;
  badVersion[6] = 9;
  EXPECT_NE(parse(badVersion, &t, &err), EDGERT_OK);

  const char *badDicts[] = {
      "{'descr': '<f4', 'fortran_order': False}",                 // no shape
      "{'fortran_order': False, 'shape': (1,)}",                  // no descr
      "{'descr': '<f4', 'shape': (1,)}",                          // no order
      "{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}",  // complex
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)",   // no '}'
      "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}",
      "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': "
      "(99999999999, 99999999999, 99999999999)}",
      "not a dict",
  };
  for (const char *dict : badDicts) {
    EXPECT_NE(parse(npyImage(dict, "abcd"), &t, &err), EDGERT_OK) << dict;
    EXPECT_EQ(t.data, nullptr);
  }
}

TEST(Npy, ReadFileReportsThePath) {
  TempDir dir;
  edgert_host_tensor_t t;
  edgert_error_t err;
  std::string missing = dir.file("missing.npy");
  EXPECT_EQ(edgert_tensor_read_file(missing.c_str(), &t, &err), EDGERT_ERR_IO);
  EXPECT_EQ(std::string(err.message),
            "cannot open '" + missing + "': No such file or directory");

  std::string bad = dir.file("bad.npy");
  writeFile(bad, "hello");
  EXPECT_EQ(edgert_tensor_read_file(bad.c_str(), &t, &err), EDGERT_ERR_FORMAT);
  EXPECT_EQ(std::string(err.message),
            "'" + bad + "': not a valid .npy file: missing the \\x93NUMPY magic");

  EXPECT_EQ(edgert_tensor_read_file(dir.path().c_str(), &t, &err),
            EDGERT_ERR_IO);
  EXPECT_NE(std::string(err.message).find("Is a directory"), std::string::npos)
      << err.message;
}

TEST(Npy, WriteReportsUnwritablePath) {
  TempDir dir;
  const edgert_tensor_desc_t desc = {"s", EDGERT_F32, 0, nullptr, 4};
  const float value = 1;
  edgert_error_t err;
  std::string path = dir.file("nodir/x.npy");
  EXPECT_EQ(edgert_npy_write(path.c_str(), &desc, &value, &err), EDGERT_ERR_IO);
  EXPECT_EQ(std::string(err.message),
            "cannot write '" + path + "': No such file or directory");
  // A descriptor whose size_bytes disagrees with its shape is refused.
  const edgert_tensor_desc_t wrong = {"s", EDGERT_F32, 0, nullptr, 8};
  EXPECT_NE(edgert_npy_write(dir.file("w.npy").c_str(), &wrong, &value, &err),
            EDGERT_OK);
}

} // namespace
