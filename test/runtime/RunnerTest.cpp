// End-to-end tests of edgert_runner_main on the fake model, through files in
// a temporary folder.
#include "FakeModel.h"
#include "TestUtil.h"

#include "edgert_runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using testing::internal::CaptureStderr;
using testing::internal::CaptureStdout;
using testing::internal::GetCapturedStderr;
using testing::internal::GetCapturedStdout;
using namespace testutil;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result runMain(std::vector<std::string> args,
               const edgert_model_t *model = &fake::kModel) {
  args.insert(args.begin(), "runner");
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  CaptureStdout();
  CaptureStderr();
  Result r;
  r.code = edgert_runner_main(model, int(args.size()), argv.data());
  r.err = GetCapturedStderr();
  r.out = GetCapturedStdout();
  return r;
}

// Writes a .npy file with the given type and shape via the library.
void writeNpy(const std::string &path, int32_t dtype,
              std::vector<int64_t> shape, const void *data) {
  uint64_t bytes = edgert_dtype_size(dtype);
  for (int64_t d : shape)
    bytes *= uint64_t(d);
  edgert_tensor_desc_t desc = {"t", dtype, int32_t(shape.size()),
                               shape.empty() ? nullptr : shape.data(), bytes};
  edgert_error_t err;
  ASSERT_EQ(edgert_npy_write(path.c_str(), &desc, data, &err), EDGERT_OK)
      << err.message;
}

const float kX[6] = {0.5f, 1, 2, 3, 4, 5};

// "<digits>.<3 digits>"
bool isMicroseconds(const std::string &s) {
  size_t dot = s.find('.');
  if (dot == std::string::npos || dot == 0 || s.size() - dot - 1 != 3)
    return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (i != dot && !std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
  return true;
}

// Exactly "benchmark: model=M runs=N median_us=X min_us=X mean_us=X\n".
bool isBenchmarkLine(const std::string &out, const std::string &model,
                     int runs) {
  std::string prefix = "benchmark: model=" + model +
                       " runs=" + std::to_string(runs) + " ";
  if (out.compare(0, prefix.size(), prefix) != 0 || out.back() != '\n')
    return false;
  std::string rest = out.substr(prefix.size(), out.size() - prefix.size() - 1);
  const char *keys[] = {"median_us=", "min_us=", "mean_us="};
  for (int k = 0; k < 3; ++k) {
    std::string key = keys[k];
    if (rest.compare(0, key.size(), key) != 0)
      return false;
    size_t end = rest.find(' ');
    if ((k < 2) != (end != std::string::npos))
      return false;
    if (!isMicroseconds(rest.substr(key.size(), end - key.size())))
      return false;
    rest = end == std::string::npos ? "" : rest.substr(end + 1);
  }
  return rest.empty();
}

TEST(Runner, WritesOutputFiles) {
  TempDir dir;
  std::string in = dir.file("x.npy"), out = dir.file("out");
  writeNpy(in, EDGERT_F32, {2, 3}, kX);
  Result r = runMain({"--input=" + in, "--output-dir=" + out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, "");

  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(edgert_tensor_read_file((out + "/output_0.npy").c_str(), &t, &err),
            EDGERT_OK)
      << err.message;
  EXPECT_EQ(t.dtype, EDGERT_F32);
  ASSERT_EQ(t.rank, 2);
  EXPECT_EQ(t.shape[0], 2);
  EXPECT_EQ(t.shape[1], 3);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(static_cast<float *>(t.data)[i], kX[i] + 1) << i;
  edgert_host_tensor_free(&t);

  std::string bytes = readFile(out + "/output_1.npy");
  EXPECT_NE(bytes.find("{'descr': '<i8', 'fortran_order': False, "
                       "'shape': (2,), }"),
            std::string::npos);
  ASSERT_GE(bytes.size(), 10u);
  size_t dataStart = 10 + (uint8_t(bytes[8]) | uint8_t(bytes[9]) << 8);
  EXPECT_EQ(dataStart % 64, 0u);
  ASSERT_EQ(bytes.size(), dataStart + 16);
  int64_t sums[2];
  std::memcpy(sums, bytes.data() + dataStart, 16);
  EXPECT_EQ(sums[0], 6); // int(1.5 + 2 + 3)
  EXPECT_EQ(sums[1], 15);

  // An existing folder (with a trailing '/') is fine too.
  r = runMain({"--input=" + in, "--output-dir=" + out + "/"});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(Runner, AcceptsTensorProtoInput) {
  TempDir dir;
  std::string in = dir.file("input_0.pb"), out = dir.file("out");
  writeFile(in, fieldVarint(1, 2) + fieldVarint(1, 3) +
                    fieldVarint(2, EDGERT_F32) + fieldBytes(9, bytesOf(kX, 6)));
  Result r = runMain({"--input=" + in, "--output-dir=" + out});
  ASSERT_EQ(r.code, 0) << r.err;
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(edgert_tensor_read_file((out + "/output_0.npy").c_str(), &t, &err),
            EDGERT_OK);
  EXPECT_EQ(static_cast<float *>(t.data)[5], 6.0f);
  edgert_host_tensor_free(&t);
}

TEST(Runner, PrintsOutputsWithZeroInputs) {
  Result r = runMain({});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "output 0 'y': float32 2x3 [1, 1, 1, 1, 1, 1]\n"
                   "output 1 'sums': int64 2 [3, 3]\n");
  EXPECT_EQ(r.err, "");
}

TEST(Runner, BenchmarkLine) {
  int before = fake::runs;
  Result r = runMain({"--benchmark=7"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(isBenchmarkLine(r.out, "fake", 7)) << r.out;
  // The checker itself rejects near misses.
  EXPECT_FALSE(isBenchmarkLine("benchmark: model=fake runs=7 median_us=1.23 "
                               "min_us=1.000 mean_us=1.000\n", "fake", 7));
  EXPECT_FALSE(isBenchmarkLine("benchmark: model=fake runs=7 median_us=1.230 "
                               "min_us=1.000 mean_us=1.000 x\n", "fake", 7));
  EXPECT_TRUE(isBenchmarkLine("benchmark: model=fake runs=7 median_us=1.230 "
                              "min_us=1.000 mean_us=12.500\n", "fake", 7));
  EXPECT_GE(fake::runs - before, 1 + 7); // the run, warm-ups, timed runs
  EXPECT_FALSE(fake::sawBadArena);
}

TEST(Runner, WrongInputCount) {
  TempDir dir;
  std::string in = dir.file("x.npy");
  writeNpy(in, EDGERT_F32, {2, 3}, kX);
  Result r = runMain({"--input=" + in, "--input=" + in});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: model 'fake' takes 1 input(s) but 2 were given\n");
  EXPECT_EQ(r.out, "");
}

TEST(Runner, WrongShape) {
  TempDir dir;
  std::string in = dir.file("x.npy");
  float data[8] = {};
  writeNpy(in, EDGERT_F32, {2, 4}, data);
  Result r = runMain({"--input=" + in});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: input 0 ('x') from '" + in +
                       "': shape 2x4 does not match the model's 2x3\n");

  writeNpy(in, EDGERT_F32, {}, data);
  r = runMain({"--input=" + in});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: input 0 ('x') from '" + in +
                       "': shape scalar does not match the model's 2x3\n");
}

TEST(Runner, WrongElementType) {
  TempDir dir;
  std::string in = dir.file("x.npy");
  int64_t data[6] = {};
  writeNpy(in, EDGERT_I64, {2, 3}, data);
  Result r = runMain({"--input=" + in});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: input 0 ('x') from '" + in +
                       "': element type int64 does not match the model's "
                       "float32\n");
}

TEST(Runner, UnreadableAndMalformedFiles) {
  TempDir dir;
  std::string missing = dir.file("missing.npy");
  Result r = runMain({"--input=" + missing});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: cannot open '" + missing +
                       "': No such file or directory\n");

  std::string in = dir.file("x.npy");
  writeNpy(in, EDGERT_F32, {2, 3}, kX);
  std::string bytes = readFile(in);
  writeFile(in, bytes.substr(0, bytes.size() - 1));
  r = runMain({"--input=" + in});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: '" + in +
                       "': not a valid .npy file: holds 23 data bytes, its "
                       "shape needs 24\n");

  std::string pb = dir.file("x.pb");
  writeFile(pb, std::string("\x0a\x05\x01", 3));
  r = runMain({"--input=" + pb});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.find("error: '" + pb + "': not a valid TensorProto"), 0u)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

TEST(Runner, BadOptions) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{"--frobnicate"}, "error: unknown option '--frobnicate' (see --help)\n"},
      {{"model.npy"}, "error: unexpected argument 'model.npy' (see --help)\n"},
      {{"--input"}, "error: option '--input' needs a value: --input=FILE\n"},
      {{"--output-dir="},
       "error: option '--output-dir' needs a value: --output-dir=DIR\n"},
      {{"--benchmark"},
       "error: option '--benchmark' needs a value: --benchmark=N\n"},
      {{"--benchmark=abc"}, "error: invalid --benchmark value 'abc': expected "
                            "a run count from 1 to 10000000\n"},
      {{"--benchmark=0"}, "error: invalid --benchmark value '0': expected a "
                          "run count from 1 to 10000000\n"},
      {{"--benchmark=-3"}, "error: invalid --benchmark value '-3': expected a "
                           "run count from 1 to 10000000\n"},
      {{"--benchmark=99999999999999999999"},
       "error: invalid --benchmark value '99999999999999999999': expected a "
       "run count from 1 to 10000000\n"},
  };
  for (const Case &c : cases) {
    Result r = runMain(c.args);
    EXPECT_EQ(r.code, 1) << c.args[0];
    EXPECT_EQ(r.err, c.err);
    EXPECT_EQ(r.out, "");
  }
}

TEST(Runner, Help) {
  Result r = runMain({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: runner"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("input 0 'x': float32 2x3"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(Runner, UnwritableOutput) {
  TempDir dir;
  // The output folder's parent is a regular file.
  writeFile(dir.file("file"), "x");
  std::string out = dir.file("file/out");
  Result r = runMain({"--output-dir=" + out});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: cannot create output directory '" + out +
                       "': Not a directory\n");
  // The output folder is a regular file.
  r = runMain({"--output-dir=" + dir.file("file")});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: cannot create output directory '" +
                       dir.file("file") + "': Not a directory\n");
  // The output file cannot be created (a folder is in the way).
  std::string out2 = dir.file("out2");
  ASSERT_EQ(mkdir(out2.c_str(), 0777), 0);
  ASSERT_EQ(mkdir((out2 + "/output_0.npy").c_str(), 0777), 0);
  r = runMain({"--output-dir=" + out2});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: cannot write '" + out2 +
                       "/output_0.npy': Is a directory\n");
}

TEST(Runner, RejectsBadDescriptors) {
  edgert_model_t other = fake::kModel;
  other.abi_version = 7;
  Result r = runMain({}, &other);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: the model was built for runtime ABI version 7, "
                   "this runner supports " +
                       std::to_string(EDGERT_ABI_VERSION) + "\n");

  edgert_tensor_desc_t badOutputs[2] = {fake::kOutputs[0], fake::kOutputs[1]};
  badOutputs[1].size_bytes = 17;
  edgert_model_t bad = fake::kModel;
  bad.outputs = badOutputs;
  r = runMain({}, &bad);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: output 1 has an invalid type, shape or size\n");

  r = runMain({}, nullptr);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

} // namespace

// --guard-pages: a model whose code stays in its buffers runs (outputs as
// without it); one that touches a byte past or before a buffer is stopped
// with exit code 3 and the buffer named.
namespace guard {
const int64_t kShape6[] = {6};
const edgert_tensor_desc_t kIn[1] = {{"x", EDGERT_F32, 1, kShape6, 24}};
const edgert_tensor_desc_t kOut[1] = {{"y", EDGERT_F32, 1, kShape6, 24}};
// y = x; then one stray access chosen by the model.
enum Stray { kNone, kOutputPastEnd, kInputBeforeStart, kArenaPastEnd };
Stray stray = kNone;
void entry(void *const *inputs, void *const *outputs, void *arena) {
  const volatile float *x = static_cast<const float *>(inputs[0]);
  volatile float *y = static_cast<float *>(outputs[0]);
  volatile char *a = static_cast<char *>(arena);
  for (int i = 0; i < 6; ++i)
    y[i] = x[i];
  for (int i = 0; i < 128; ++i)
    a[i] = 1;
  switch (stray) {
  case kNone:
    break;
  case kOutputPastEnd:
    y[6] = 0;
    break;
  case kInputBeforeStart:
    y[0] = x[-1];
    break;
  case kArenaPastEnd:
    a[128] = 0;
    break;
  }
}
const edgert_model_t kModel = {
    EDGERT_ABI_VERSION, 1, 1, 64, 128, "guard", kIn, kOut, entry, 1};
} // namespace guard

TEST(Runner, GuardPagesPassCleanModels) {
  TempDir dir;
  writeNpy(dir.file("x.npy"), EDGERT_F32, {6}, kX);
  guard::stray = guard::kNone;
  Result r = runMain({"--input=" + dir.file("x.npy"), "--guard-pages",
                      "--output-dir=" + dir.file("out")},
                     &guard::kModel);
  ASSERT_EQ(r.code, 0) << r.err;
  edgert_host_tensor_t t;
  edgert_error_t err;
  ASSERT_EQ(
      edgert_tensor_read_file(dir.file("out/output_0.npy").c_str(), &t, &err),
      EDGERT_OK)
      << err.message;
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(static_cast<float *>(t.data)[i], kX[i]) << i;
  edgert_host_tensor_free(&t);
  // The fake model (two outputs, a 64-byte arena) too.
  writeNpy(dir.file("x23.npy"), EDGERT_F32, {2, 3}, kX);
  r = runMain({"--input=" + dir.file("x23.npy"), "--guard-pages"});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(RunnerDeathTest, GuardPagesStopStrayAccesses) {
  TempDir dir;
  writeNpy(dir.file("x.npy"), EDGERT_F32, {6}, kX);
  auto run = [&](guard::Stray stray) {
    guard::stray = stray;
    std::string in = "--input=" + dir.file("x.npy");
    std::vector<std::string> args = {"runner", in, "--guard-pages"};
    std::vector<char *> argv;
    for (auto &a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    exit(edgert_runner_main(&guard::kModel, int(args.size()), argv.data()));
  };
  EXPECT_EXIT(run(guard::kOutputPastEnd), testing::ExitedWithCode(3),
              "error: --guard-pages: the model's code touched 0x[0-9a-f]+, in "
              "the guard page after output 0 \\(SIGSEGV\\)");
  EXPECT_EXIT(run(guard::kInputBeforeStart), testing::ExitedWithCode(3),
              "in the guard page before input 0");
  EXPECT_EXIT(run(guard::kArenaPastEnd), testing::ExitedWithCode(3),
              "in the guard page after the arena");
}
