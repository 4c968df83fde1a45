// Unit tests of the ONNX TensorProto decoder, on hand-encoded messages.
#include "TestUtil.h"

#include "edgert_runner.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

using namespace testutil;

namespace {

// TensorProto field numbers.
enum { kDims = 1, kDataType = 2, kFloatData = 4, kInt32Data = 5,
       kInt64Data = 7, kName = 8, kRawData = 9, kDoubleData = 10,
       kUint64Data = 11, kDataLocation = 14 };

edgert_status_t parse(const std::string &bytes, edgert_host_tensor_t *t,
                      edgert_error_t *err) {
  return edgert_tensor_pb_parse(bytes.data(), bytes.size(), t, err);
}

std::string rawFloatTensor() {
  const float values[6] = {1.5f, -2, 3, 4, 5, 6.25f};
  return fieldVarint(kDims, 2) + fieldVarint(kDims, 3) +
         fieldVarint(kDataType, EDGERT_F32) + fieldBytes(kName, "x") +
         fieldBytes(kRawData, bytesOf(values, 6));
}

TEST(TensorPb, ParsesRawData) {
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(parse(rawFloatTensor(), &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(t.dtype, EDGERT_F32);
  ASSERT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 3);
  ASSERT_EQ(t.size_bytes, 24u);
  const float *f = static_cast<const float *>(t.data);
  EXPECT_EQ(f[0], 1.5f);
  EXPECT_EQ(f[1], -2.0f);
  EXPECT_EQ(f[5], 6.25f);
  edgert_host_tensor_free(&t);
}

TEST(TensorPb, ParsesPackedFloatData) {
  const float values[3] = {0.5f, -1, 1e30f};
  const int64_t dims[1] = {3};
  std::string msg = fieldBytes(kDims, varint(uint64_t(dims[0]))) + // packed
                    fieldVarint(kDataType, EDGERT_F32) +
                    fieldBytes(kFloatData, bytesOf(values, 3));
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(parse(msg, &t, &err), EDGERT_OK) << err.message;
  ASSERT_EQ(t.rank, 1);
  EXPECT_EQ(t.shape[0], 3);
  ASSERT_EQ(t.size_bytes, 12u);
  EXPECT_EQ(std::memcmp(t.data, values, 12), 0);
  edgert_host_tensor_free(&t);
}

TEST(TensorPb, ParsesUnpackedFloatAndInt64Data) {
  const int64_t values[3] = {5, -5, INT64_MIN};
  std::string msg = fieldVarint(kDims, 3) + fieldVarint(kDataType, EDGERT_I64);
  for (int64_t v : values)
    msg += fieldVarint(kInt64Data, uint64_t(v)); // negative: 10-byte varint
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(parse(msg, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(t.dtype, EDGERT_I64);
  ASSERT_EQ(t.size_bytes, 24u);
  EXPECT_EQ(std::memcmp(t.data, values, 24), 0);
  edgert_host_tensor_free(&t);

  // Unpacked float_data: one 32-bit field per value.
  const float f[2] = {1.25f, -7};
  std::string fmsg = fieldVarint(kDims, 2) + fieldVarint(kDataType, EDGERT_F32);
  for (float v : f)
    fmsg += key(kFloatData, 5) + bytesOf(&v, 1);
  ASSERT_EQ(parse(fmsg, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(std::memcmp(t.data, f, 8), 0);
  edgert_host_tensor_free(&t);
}

TEST(TensorPb, ParsesScalarAndNarrowTypes) {
  edgert_host_tensor_t t;
  edgert_error_t err;
  // A scalar double (no dims), packed double_data.
  const double d = -0.125;
  ASSERT_EQ(parse(fieldVarint(kDataType, EDGERT_F64) +
                      fieldBytes(kDoubleData, bytesOf(&d, 1)),
                  &t, &err),
            EDGERT_OK)
      << err.message;
  EXPECT_EQ(t.rank, 0);
  EXPECT_EQ(*static_cast<double *>(t.data), d);
  edgert_host_tensor_free(&t);

  // int8 / uint8 / bool / float16 live in int32_data.
  std::string i8 = fieldVarint(kDims, 3) + fieldVarint(kDataType, EDGERT_I8) +
                   fieldBytes(kInt32Data, varint(uint64_t(int64_t(-3))) +
                                              varint(127) + varint(0));
  ASSERT_EQ(parse(i8, &t, &err), EDGERT_OK) << err.message;
  const int8_t *p = static_cast<const int8_t *>(t.data);
  EXPECT_EQ(p[0], -3);
  EXPECT_EQ(p[1], 127);
  EXPECT_EQ(p[2], 0);
  edgert_host_tensor_free(&t);

  std::string b = fieldVarint(kDims, 2) + fieldVarint(kDataType, EDGERT_BOOL) +
                  fieldVarint(kInt32Data, 1) + fieldVarint(kInt32Data, 0);
  ASSERT_EQ(parse(b, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(static_cast<uint8_t *>(t.data)[0], 1);
  EXPECT_EQ(static_cast<uint8_t *>(t.data)[1], 0);
  edgert_host_tensor_free(&t);

  std::string h = fieldVarint(kDims, 1) + fieldVarint(kDataType, EDGERT_F16) +
                  fieldVarint(kInt32Data, 0x3c00); // 1.0 in binary16
  ASSERT_EQ(parse(h, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(static_cast<uint16_t *>(t.data)[0], 0x3c00);
  edgert_host_tensor_free(&t);

  std::string u = fieldVarint(kDims, 1) + fieldVarint(kDataType, EDGERT_U64) +
                  fieldVarint(kUint64Data, UINT64_MAX);
  ASSERT_EQ(parse(u, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(static_cast<uint64_t *>(t.data)[0], UINT64_MAX);
  edgert_host_tensor_free(&t);
}

TEST(TensorPb, SkipsUnknownFields) {
  const uint64_t big = 0x1122334455667788ull;
  std::string msg = fieldBytes(3, "segment") +          // segment (message)
                    key(99, 1) + bytesOf(&big, 1) +      // fixed64
                    key(98, 5) + std::string(4, 'x') +   // fixed32
                    fieldVarint(97, 12345) +             // varint
                    fieldVarint(kDataLocation, 0) +      // DEFAULT
                    rawFloatTensor() + fieldBytes(12, "doc string");
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(parse(msg, &t, &err), EDGERT_OK) << err.message;
  EXPECT_EQ(t.size_bytes, 24u);
  edgert_host_tensor_free(&t);
}

TEST(TensorPb, RejectsTruncatedBytes) {
  std::string msg = rawFloatTensor();
  edgert_host_tensor_t t;
  edgert_error_t err;
  for (size_t n = 0; n < msg.size(); ++n) {
    EXPECT_EQ(parse(msg.substr(0, n), &t, &err), EDGERT_ERR_FORMAT) << n;
    EXPECT_EQ(t.data, nullptr);
  }
  // A length that runs past the end, and an endless varint.
  EXPECT_EQ(parse(key(kRawData, 2) + varint(1000) + "abc", &t, &err),
            EDGERT_ERR_FORMAT);
  EXPECT_NE(std::string(err.message).find("truncated"), std::string::npos);
  EXPECT_EQ(parse(key(kDims, 0) + std::string(11, '\xff') + '\x01', &t, &err),
            EDGERT_ERR_FORMAT);
  EXPECT_EQ(parse(key(kFloatData, 5) + "ab", &t, &err), EDGERT_ERR_FORMAT);
}

TEST(TensorPb, RejectsInconsistentData) {
  edgert_host_tensor_t t;
  edgert_error_t err;
  const float values[5] = {};
  // 5 floats for a 2x3 shape.
  EXPECT_EQ(parse(fieldVarint(kDims, 2) + fieldVarint(kDims, 3) +
                      fieldVarint(kDataType, EDGERT_F32) +
                      fieldBytes(kFloatData, bytesOf(values, 5)),
                  &t, &err),
            EDGERT_ERR_FORMAT);
  EXPECT_STREQ(err.message, "holds 5 values, its shape needs 6");
  // raw_data of the wrong size.
  EXPECT_EQ(parse(fieldVarint(kDims, 2) + fieldVarint(kDataType, EDGERT_F32) +
                      fieldBytes(kRawData, "abc"),
                  &t, &err),
            EDGERT_ERR_FORMAT);
  // Values in the field of another type.
  EXPECT_EQ(parse(fieldVarint(kDims, 1) + fieldVarint(kDataType, EDGERT_F32) +
                      fieldVarint(kInt64Data, 1),
                  &t, &err),
            EDGERT_ERR_FORMAT);
  // Missing / unsupported data_type, negative dims, wrong wire type.
  EXPECT_NE(parse(fieldVarint(kDims, 1), &t, &err), EDGERT_OK);
  EXPECT_NE(parse(fieldVarint(kDataType, 8) + fieldBytes(6, "str"), &t, &err),
            EDGERT_OK);
  EXPECT_NE(parse(fieldVarint(kDims, uint64_t(int64_t(-1))) +
                      fieldVarint(kDataType, EDGERT_F32),
                  &t, &err),
            EDGERT_OK);
  EXPECT_NE(parse(key(kDataType, 5) + "abcd", &t, &err), EDGERT_OK);
  EXPECT_NE(parse(key(kDims, 3), &t, &err), EDGERT_OK); // group
  EXPECT_EQ(t.data, nullptr);
}

TEST(TensorPb, RejectsExternalData) {
  edgert_host_tensor_t t;
  edgert_error_t err;
  std::string msg = fieldVarint(kDims, 2) + fieldVarint(kDataType, EDGERT_F32) +
                    fieldBytes(13, fieldBytes(1, "location") +
                                       fieldBytes(2, "weights.bin")) +
                    fieldVarint(kDataLocation, 1);
  EXPECT_NE(parse(msg, &t, &err), EDGERT_OK);
  EXPECT_STREQ(err.message, "external data not supported");
}

TEST(TensorPb, ReadFileDetectsTensorProto) {
  TempDir dir;
  edgert_host_tensor_t t;
  edgert_error_t err;
  writeFile(dir.file("input_0.pb"), rawFloatTensor());
  ASSERT_EQ(edgert_tensor_read_file(dir.file("input_0.pb").c_str(), &t, &err),
            EDGERT_OK)
      << err.message;
  EXPECT_EQ(t.size_bytes, 24u);
  edgert_host_tensor_free(&t);

  std::string bad = dir.file("bad.pb");
  writeFile(bad, rawFloatTensor().substr(0, 20));
  EXPECT_EQ(edgert_tensor_read_file(bad.c_str(), &t, &err), EDGERT_ERR_FORMAT);
  EXPECT_EQ(std::string(err.message).find("'" + bad +
                                          "': not a valid TensorProto (.pb) "
                                          "file: "),
            0u)
      << err.message;
}

} // namespace
