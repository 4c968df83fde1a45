// Unit tests of the device runtime (edgert.h).
#include "FakeModel.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

TEST(Status, MessagesAreDistinctAndNeverNull) {
  std::set<std::string> seen;
  for (int s = EDGERT_OK; s <= EDGERT_ERR_FORMAT; ++s) {
    const char *m = edgert_status_message(static_cast<edgert_status_t>(s));
    ASSERT_NE(m, nullptr);
    EXPECT_TRUE(seen.insert(m).second) << m;
  }
  EXPECT_STREQ(edgert_status_message(static_cast<edgert_status_t>(999)),
               "unknown status");
}

TEST(Dtype, SizesAndNames) {
  EXPECT_EQ(edgert_dtype_size(EDGERT_F32), 4u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_I64), 8u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_I8), 1u);
  EXPECT_EQ(edgert_dtype_size(EDGERT_F16), 2u);
  EXPECT_EQ(edgert_dtype_size(0), 0u);
  EXPECT_STREQ(edgert_dtype_name(EDGERT_F32), "float32");
  EXPECT_STREQ(edgert_dtype_name(EDGERT_U8), "uint8");
  EXPECT_STREQ(edgert_dtype_name(1234), "unknown");
}

class Run : public ::testing::Test {
protected:
  alignas(64) unsigned char arena[128];
  float x[6] = {0, 1, 2, 3, 4, 5};
  float y[6] = {};
  int64_t count = 0;
  const void *inputs[1] = {x};
  void *outputs[2] = {y, &count};
};

TEST_F(Run, RunsTheModel) {
  ASSERT_EQ(edgert_run(&fake::kModel, inputs, outputs, arena), EDGERT_OK);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(y[i], x[i] + 1.0f);
  EXPECT_EQ(count, 6);
}

TEST_F(Run, RejectsNullArguments) {
  EXPECT_EQ(edgert_run(nullptr, inputs, outputs, arena), EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_run(&fake::kModel, nullptr, outputs, arena),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, nullptr, arena),
            EDGERT_ERR_NULL_ARGUMENT);
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, outputs, nullptr),
            EDGERT_ERR_NULL_ARGUMENT);
  void *partial[2] = {y, nullptr};
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, partial, arena),
            EDGERT_ERR_NULL_ARGUMENT);
}

TEST_F(Run, RejectsMisalignedArena) {
  int before = fake::runs;
  EXPECT_EQ(edgert_run(&fake::kModel, inputs, outputs, arena + 4),
            EDGERT_ERR_ARENA_ALIGNMENT);
  EXPECT_EQ(fake::runs, before) << "the model must not run";
}

TEST_F(Run, RejectsOtherAbiVersion) {
  edgert_model_t other = fake::kModel;
  other.abi_version = EDGERT_ABI_VERSION + 1;
  EXPECT_EQ(edgert_run(&other, inputs, outputs, arena), EDGERT_ERR_BAD_MODEL);
}
