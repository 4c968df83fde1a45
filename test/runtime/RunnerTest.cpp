// Unit tests of the host runner: .npy / TensorProto files and the command
// line, on the fake model.
#include "FakeModel.h"

#include "edgert_runner.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {
std::string tempDir() {
  char tmpl[] = "/tmp/edgert-test-XXXXXX";
  return mkdtemp(tmpl);
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string readFile(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

int runMain(std::vector<std::string> args) {
  args.insert(args.begin(), "runner");
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(a.data());
  return edgert_runner_main(&fake::kModel, int(argv.size()), argv.data());
}

std::string varint(uint64_t v) {
  std::string s;
  do {
    unsigned char b = v & 0x7f;
    v >>= 7;
    s += char(b | (v ? 0x80 : 0));
  } while (v);
  return s;
}
} // namespace

TEST(Npy, WriteThenReadRoundTrips) {
  std::string dir = tempDir();
  float data[6] = {1, -2, 3.5f, 4, 5, 6};
  char error[256];
  ASSERT_EQ(edgert_npy_write((dir + "/a.npy").c_str(), &fake::kInputs[0], data,
                             error, sizeof error),
            EDGERT_OK);
  edgert_host_tensor_t t;
  ASSERT_EQ(edgert_tensor_read((dir + "/a.npy").c_str(), error, sizeof error, &t),
            EDGERT_OK)
      << error;
  EXPECT_EQ(t.dtype, EDGERT_F32);
  ASSERT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 3);
  ASSERT_EQ(t.size_bytes, 24u);
  EXPECT_EQ(std::memcmp(t.data, data, 24), 0);
  edgert_tensor_free(&t);

  int64_t n = 42;
  edgert_tensor_desc_t scalar = {"s", EDGERT_I64, 0, nullptr, 8};
  ASSERT_EQ(edgert_npy_write((dir + "/s.npy").c_str(), &scalar, &n, error,
                             sizeof error),
            EDGERT_OK);
  ASSERT_EQ(edgert_tensor_read((dir + "/s.npy").c_str(), error, sizeof error, &t),
            EDGERT_OK);
  EXPECT_EQ(t.rank, 0);
  EXPECT_EQ(t.dtype, EDGERT_I64);
  EXPECT_EQ(*static_cast<int64_t *>(t.data), 42);
  edgert_tensor_free(&t);
}

TEST(Npy, RejectsMalformedFiles) {
  std::string good = "\x93NUMPY\x01";
  good += '\0';
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  good += char(header.size());
  good += '\0';
  good += header + std::string(8, '\0');
  edgert_host_tensor_t t;
  char error[256];
  auto parse = [&](const std::string &s) {
    return edgert_npy_parse(reinterpret_cast<const unsigned char *>(s.data()),
                            s.size(), error, sizeof error, &t);
  };
  ASSERT_EQ(parse(good), EDGERT_OK) << error;
  edgert_tensor_free(&t);
  EXPECT_EQ(parse(good.substr(0, good.size() - 1)), EDGERT_ERR_FORMAT);
  EXPECT_NE(std::string(error).find("data bytes"), std::string::npos) << error;
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  EXPECT_EQ(parse(fortran), EDGERT_ERR_FORMAT);
  EXPECT_NE(std::string(error).find("Fortran"), std::string::npos) << error;
  std::string magic = good;
  magic[1] = 'X';
  EXPECT_EQ(parse(magic), EDGERT_ERR_FORMAT);
  std::string bigEndian = good;
  bigEndian.replace(bigEndian.find("<f4"), 3, ">f4");
  EXPECT_EQ(parse(bigEndian), EDGERT_ERR_FORMAT);
}

TEST(TensorProto, ParsesRawAndTypedData) {
  edgert_host_tensor_t t;
  char error[256];
  // dims: 2, 2 (unpacked); data_type FLOAT; raw_data 16 bytes.
  float values[4] = {1, 2, 3, 4};
  std::string raw = varint(1 << 3) + varint(2) + varint(1 << 3) + varint(2) +
                    varint(2 << 3) + varint(1) + varint(9 << 3 | 2) + varint(16) +
                    std::string(reinterpret_cast<char *>(values), 16);
  ASSERT_EQ(edgert_tensor_proto_parse(
                reinterpret_cast<const unsigned char *>(raw.data()), raw.size(),
                error, sizeof error, &t),
            EDGERT_OK)
      << error;
  EXPECT_EQ(t.rank, 2);
  EXPECT_EQ(static_cast<float *>(t.data)[3], 4.0f);
  edgert_tensor_free(&t);

  // Packed float_data (field 4) and unpacked int64_data (field 7).
  std::string packed = varint(1 << 3) + varint(4) + varint(2 << 3) + varint(1) +
                       varint(4 << 3 | 2) + varint(16) +
                       std::string(reinterpret_cast<char *>(values), 16);
  ASSERT_EQ(edgert_tensor_proto_parse(
                reinterpret_cast<const unsigned char *>(packed.data()),
                packed.size(), error, sizeof error, &t),
            EDGERT_OK)
      << error;
  EXPECT_EQ(static_cast<float *>(t.data)[2], 3.0f);
  edgert_tensor_free(&t);
  std::string ints = varint(1 << 3) + varint(2) + varint(2 << 3) + varint(7) +
                     varint(7 << 3) + varint(5) + varint(7 << 3) +
                     varint(uint64_t(-3));
  ASSERT_EQ(edgert_tensor_proto_parse(
                reinterpret_cast<const unsigned char *>(ints.data()), ints.size(),
                error, sizeof error, &t),
            EDGERT_OK)
      << error;
  EXPECT_EQ(static_cast<int64_t *>(t.data)[1], -3);
  edgert_tensor_free(&t);

  // Truncated: the raw_data length runs past the end.
  EXPECT_EQ(edgert_tensor_proto_parse(
                reinterpret_cast<const unsigned char *>(raw.data()),
                raw.size() - 3, error, sizeof error, &t),
            EDGERT_ERR_FORMAT);
  EXPECT_NE(std::string(error).find("truncated"), std::string::npos) << error;
}

TEST(RunnerMain, WritesOutputs) {
  std::string dir = tempDir();
  float x[6] = {0, 1, 2, 3, 4, 5};
  char error[256];
  ASSERT_EQ(edgert_npy_write((dir + "/x.npy").c_str(), &fake::kInputs[0], x,
                             error, sizeof error),
            EDGERT_OK);
  ASSERT_EQ(runMain({"--input=" + dir + "/x.npy", "--output-dir=" + dir + "/out"}),
            0);
  edgert_host_tensor_t t;
  ASSERT_EQ(edgert_tensor_read((dir + "/out/output_0.npy").c_str(), error,
                               sizeof error, &t),
            EDGERT_OK);
  EXPECT_EQ(static_cast<float *>(t.data)[5], 6.0f);
  edgert_tensor_free(&t);
  ASSERT_EQ(edgert_tensor_read((dir + "/out/output_1.npy").c_str(), error,
                               sizeof error, &t),
            EDGERT_OK);
  EXPECT_EQ(*static_cast<int64_t *>(t.data), 6);
  edgert_tensor_free(&t);
}

TEST(RunnerMain, ReportsWrongInputs) {
  std::string dir = tempDir();
  float x[6] = {};
  int64_t wrongType[6] = {};
  char error[256];
  ASSERT_EQ(edgert_npy_write((dir + "/x.npy").c_str(), &fake::kInputs[0], x,
                             error, sizeof error),
            EDGERT_OK);
  const int64_t wrongShape[] = {3, 2};
  edgert_tensor_desc_t shapeDesc = {"x", EDGERT_F32, 2, wrongShape, 24};
  ASSERT_EQ(edgert_npy_write((dir + "/shape.npy").c_str(), &shapeDesc, x, error,
                             sizeof error),
            EDGERT_OK);
  edgert_tensor_desc_t typeDesc = {"x", EDGERT_I64, 2, fake::kInShape, 48};
  ASSERT_EQ(edgert_npy_write((dir + "/type.npy").c_str(), &typeDesc, wrongType,
                             error, sizeof error),
            EDGERT_OK);

  auto expectError = [&](std::vector<std::string> args, const std::string &msg) {
    testing::internal::CaptureStderr();
    EXPECT_EQ(runMain(args), 1);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find(msg), std::string::npos) << err;
  };
  expectError({"--input=" + dir + "/x.npy", "--input=" + dir + "/x.npy"},
              "error: model 'fake' takes 1 input(s) but 2 were given");
  expectError({"--input=" + dir + "/shape.npy"},
              "error: input 0 ('x') from '" + dir +
                  "/shape.npy': shape 3x2 does not match the model's 2x3");
  expectError({"--input=" + dir + "/type.npy"},
              "element type int64 does not match the model's float32");
  expectError({"--input=" + dir + "/missing.npy"}, "error: cannot open '");
  expectError({"--benchmark=zero"}, "--benchmark needs a run count");
  expectError({"--bogus"}, "error: unknown option '--bogus'");
  writeFile(dir + "/garbage.npy", "\x93NUMPYgarbage");
  expectError({"--input=" + dir + "/garbage.npy"}, "not a valid .npy file");
  expectError({"--output-dir=/proc/edgert-no-such/dir"}, "error: cannot create");
}

TEST(RunnerMain, BenchmarkLine) {
  testing::internal::CaptureStdout();
  ASSERT_EQ(runMain({"--benchmark=7"}), 0);
  std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind("benchmark: model=fake runs=7 median_us=", 0), 0u) << out;
  EXPECT_NE(out.find(" min_us="), std::string::npos);
}
