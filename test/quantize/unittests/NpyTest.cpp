//===- NpyTest.cpp - the .npy parser of the calibration set ---------------===//
#include "compiler/support/Npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace edgec;

namespace {

/// A .npy image: magic, version, header padded with spaces to a multiple
/// of 64 bytes (ending in '\n'), then `data`.
std::string npy(const std::string &dict, const std::string &data,
                int version = 1) {
  std::string header = dict;
  size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(version);
  out += char(0);
  size_t n = header.size();
  out += char(n & 0xff);
  out += char((n >> 8) & 0xff);
  if (version != 1) {
    out += char(0);
    out += char(0);
  }
  return out + header + data;
}

std::string floats(std::initializer_list<float> values) {
  std::string s(values.size() * 4, '\0');
  std::memcpy(s.data(), values.begin(), s.size());
  return s;
}

TEST(Npy, ParsesAFloatArray) {
  NpyArray a;
  std::string img = npy("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (2, 3), }",
                        floats({1, 2, 3, 4, 5, 6}));
  ASSERT_EQ(parseNpy(img, a), "");
  EXPECT_EQ(a.dtype, 1);
  EXPECT_EQ(a.dtypeName, "float32");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(a.data.size(), 24u);
  float last;
  std::memcpy(&last, a.data.data() + 20, 4);
  EXPECT_EQ(last, 6.0f);
}

TEST(Npy, VersionTwoAndScalarsAndOneDimension) {
  NpyArray a;
  ASSERT_EQ(parseNpy(npy("{'descr': '|i1', 'fortran_order': False, "
                         "'shape': (3,), }",
                         std::string("\x01\x02\xff", 3), 2),
                     a),
            "");
  EXPECT_EQ(a.dtypeName, "int8");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
  ASSERT_EQ(parseNpy(npy("{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (), }",
                         floats({7})),
                     a),
            "");
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(shapeString(a.shape), "scalar");
}

TEST(Npy, RefusesWhatItCannotRead) {
  NpyArray a;
  EXPECT_EQ(parseNpy("hello", a), "not a .npy file (no \\x93NUMPY magic)");
  EXPECT_EQ(parseNpy(npy("{'descr': '>f4', 'fortran_order': False, "
                         "'shape': (1,), }",
                         floats({1})),
                     a),
            "unsupported element type '>f4' (little-endian numbers only)");
  EXPECT_EQ(parseNpy(npy("{'descr': '<f4', 'fortran_order': True, "
                         "'shape': (1,), }",
                         floats({1})),
                     a),
            "Fortran-order arrays are not supported (save a C-order array)");
  EXPECT_EQ(parseNpy(npy("{'descr': '<c8', 'fortran_order': False, "
                         "'shape': (1,), }",
                         floats({1, 2})),
                     a),
            "unsupported element type '<c8'");
  EXPECT_EQ(parseNpy(npy("{'descr': '<f4', 'fortran_order': False, "
                         "'shape': (4,), }",
                         floats({1, 2})),
                     a),
            "truncated .npy data (8 bytes for 16)");
}

} // namespace
