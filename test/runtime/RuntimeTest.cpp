// Unit tests of the core runtime: status messages, element types and
// edgert_run's checks, on the fake model.
#include "FakeModel.h"

#include "edgert.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

struct alignas(64) Arena {
  unsigned char bytes[128];
};

TEST(Status, MessagesAreNonNullAndDistinct) {
  std::set<std::string> seen;
  for (int s = EDGERT_OK; s <= EDGERT_ERR_ARENA_SIZE; ++s) {
    const char *m = edgert_status_message(static_cast<edgert_status_t>(s));
    ASSERT_NE(m, nullptr) << s;
    EXPECT_GT(std::strlen(m), 0u) << s;
    EXPECT_TRUE(seen.insert(m).second) << "duplicate message for " << s;
  }
  EXPECT_STREQ(edgert_status_message(static_cast<edgert_status_t>(1000)),
               "unknown status");
  EXPECT_STREQ(edgert_status_message(static_cast<edgert_status_t>(-1)),
               "unknown status");
}

TEST(Dtype, Sizes) {
  EXPECT_EQ(edgert_dtype_size(EDGERT_F32), 4u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_U8), 1u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_I8), 1u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_U16), 2u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_I16), 2u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_I32), 4u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_I64), 8u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_BOOL), 1u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_F16), 2u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_F64), 8u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_U32), 4u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_U64), 8u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_BF16), 2u);
  EXPECT_EQ(edgert_dtype_size(0), 0u);
  EXPECT_EQ(edgert_dtype_size(8), 0u); // STRING
  EXPECT_EQ(edgert_dtype_size(-3), 0u);
}

TEST(Dtype, Names) {
  EXPECT_STREQ(edgert_dtype_name(EDGERT_F32), "float32");
  EXPECT_STREQ(edgert_dtype_name(EDGERT_I64), "int64");
  EXPECT_STREQ(edgert_dtype_name(EDGERT_BOOL), "bool");
  EXPECT_STREQ(edgert_dtype_name(EDGERT_BF16), "bfloat16");
  EXPECT_STREQ(edgert_dtype_name(99), "unknown");
}

class RunTest : public testing::Test {
protected:
  float x[6] = {0, 1, 2, 3, 4, 5};
  float y[6] = {};
  int64_t sums[2] = {};
  const void *inputs[1] = {x};
  void *outputs[2] = {y, sums};
  Arena arena;
};

TEST_F(RunTest, RunsTheFakeModel) {
  int before = fake::runs;
  ASSERT_EQ(edgert_run(&fake::kModel, inputs, outputs, arena.bytes), EDGERT_OK);
  EXPECT_EQ(fake::runs, before + 1);
  EXPECT_FALSE(fake::sawBadArena);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], x[i] + 1.0f);
  EXPECT_EQ(sums[0], 6);  // 1 + 2 + 3
  EXPECT_EQ(sums[1], 15); // 4 + 5 + 6
}

TEST_F(RunTest, RejectsNullArguments) {
  int before = fake::runs;
  EXPECT_EQ(edgert_run(nullptr, inputs, outputs, arena.bytes),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_run(&fake::kModel, nullptr, outputs, arena.bytes),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, nullptr, arena.bytes),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, outputs, nullptr),
            EDGERT_ERR_NULL_ARGUMENT);
  const void *nullInput[1] = {nullptr};
  EXPECT_EQ(edgert_run(&fake::kModel, nullInput, outputs, arena.bytes),
            EDGERT_ERR_NULL_ARGUMENT);
  void *nullOutput[2] = {y, nullptr};
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, nullOutput, arena.bytes),
            EDGERT_ERR_NULL_ARGUMENT);
  edgert_model_t noEntry = fake::kModel;
  noEntry.entry = nullptr;
  EXPECT_EQ(edgert_run(&noEntry, inputs, outputs, arena.bytes),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(fake::runs, before);
}

TEST_F(RunTest, RejectsMisalignedArena) {
  int before = fake::runs;
  for (int offset : {1, 4, 8, 32})
    EXPECT_EQ(edgert_run(&fake::kModel, inputs, outputs, arena.bytes + offset),
              EDGERT_ERR_ARENA_ALIGNMENT)
        << offset;
  EXPECT_EQ(fake::runs, before);
}

TEST_F(RunTest, SizedRunChecksTheArenaSize) {
  int before = fake::runs;
  uint64_t need = fake::kModel.arena_size;
  EXPECT_EQ(
      edgert_run_sized(&fake::kModel, inputs, outputs, arena.bytes, need - 1),
      EDGERT_ERR_ARENA_SIZE);
  EXPECT_EQ(edgert_run_sized(&fake::kModel, inputs, outputs, arena.bytes, 0),
            EDGERT_ERR_ARENA_SIZE);
  EXPECT_EQ(fake::runs, before);
  // The other checks come first, as edgert_run's.
  EXPECT_EQ(edgert_run_sized(&fake::kModel, inputs, outputs, nullptr, need),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(
      edgert_run_sized(&fake::kModel, inputs, outputs, arena.bytes + 4, need),
      EDGERT_ERR_ARENA_ALIGNMENT);
  ASSERT_EQ(edgert_run_sized(&fake::kModel, inputs, outputs, arena.bytes, need),
            EDGERT_OK);
  EXPECT_EQ(fake::runs, before + 1);
  EXPECT_STREQ(edgert_status_message(EDGERT_ERR_ARENA_SIZE),
               "the arena is smaller than the model's arena_size");
}

TEST_F(RunTest, RejectsAbiMismatch) {
  edgert_model_t other = fake::kModel;
  other.abi_version = EDGERT_ABI_VERSION + 1;
  EXPECT_EQ(edgert_run(&other, inputs, outputs, arena.bytes),
            EDGERT_ERR_BAD_MODEL);
  other.abi_version = 0;
  EXPECT_EQ(edgert_run(&other, inputs, outputs, arena.bytes),
            EDGERT_ERR_BAD_MODEL);
  edgert_model_t negative = fake::kModel;
  negative.num_inputs = -1;
  EXPECT_EQ(edgert_run(&negative, inputs, outputs, arena.bytes),
            EDGERT_ERR_BAD_MODEL);
}

TEST_F(RunTest, NoArenaNeededWhenArenaSizeIsZero) {
  // A model without scratch accepts a NULL arena.
  static int calls = 0;
  edgert_model_t noArena = fake::kModel;
  noArena.arena_size = 0;
  noArena.entry = [](void *const *, void *const *, void *arena) {
    if (!arena)
      ++calls;
  };
  EXPECT_EQ(edgert_run(&noArena, inputs, outputs, nullptr), EDGERT_OK);
  EXPECT_EQ(calls, 1);
}

TEST(Abi, DescriptorLayout) {
  // The compiler emits these structs in LLVM IR: keep the layout fixed.
  EXPECT_EQ(offsetof(edgert_tensor_desc_t, dtype), sizeof(void *));
  EXPECT_EQ(offsetof(edgert_tensor_desc_t, shape), sizeof(void *) + 8);
  EXPECT_EQ(offsetof(edgert_tensor_desc_t, size_bytes), 2 * sizeof(void *) + 8);
  EXPECT_EQ(offsetof(edgert_model_t, num_inputs), 4u);
  EXPECT_EQ(offsetof(edgert_model_t, arena_alignment), 12u);
  EXPECT_EQ(offsetof(edgert_model_t, arena_size), 16u);
  EXPECT_EQ(offsetof(edgert_model_t, name), 24u);
  EXPECT_EQ(offsetof(edgert_model_t, entry), 24u + 3 * sizeof(void *));
}

} // namespace

// Kernel marks reach the installed hook with its user pointer, in order;
// with no hook (the default, and after removing it) they do nothing.
TEST(KernelMarks, ForwardedToTheHook) {
  struct Seen {
    std::vector<int32_t> kernels;
  } seen;
  edgert_kernel_mark(7); // no hook: nothing happens
  edgert_set_kernel_hook(
      [](void *user, int32_t kernel) {
        static_cast<Seen *>(user)->kernels.push_back(kernel);
      },
      &seen);
  edgert_kernel_mark(0);
  edgert_kernel_mark(1);
  edgert_kernel_mark(-1);
  edgert_set_kernel_hook(nullptr, nullptr);
  edgert_kernel_mark(2);
  EXPECT_EQ(seen.kernels, (std::vector<int32_t>{0, 1, -1}));
}
