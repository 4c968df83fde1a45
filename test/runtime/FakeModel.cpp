#include "FakeModel.h"

#include <cstdint>

namespace fake {
int runs = 0;
bool sawBadArena = false;

namespace {
const int64_t kShape23[] = {2, 3};
const int64_t kShape2[] = {2};

void entry(void *const *inputs, void *const *outputs, void *arena) {
  const float *x = static_cast<const float *>(inputs[0]);
  float *y = static_cast<float *>(outputs[0]);
  int64_t *sums = static_cast<int64_t *>(outputs[1]);
  if (!arena || reinterpret_cast<uintptr_t>(arena) % 64 != 0) {
    sawBadArena = true;
    return;
  }
  float *scratch = static_cast<float *>(arena); // 6 floats of the 64 bytes
  for (int i = 0; i < 6; ++i)
    scratch[i] = x[i] + 1.0f;
  for (int r = 0; r < 2; ++r) {
    float s = 0;
    for (int c = 0; c < 3; ++c) {
      y[r * 3 + c] = scratch[r * 3 + c];
      s += scratch[r * 3 + c];
    }
    sums[r] = static_cast<int64_t>(s);
  }
  ++runs;
}
} // namespace

const edgert_tensor_desc_t kInputs[1] = {{"x", EDGERT_F32, 2, kShape23, 24}};
const edgert_tensor_desc_t kOutputs[2] = {
    {"y", EDGERT_F32, 2, kShape23, 24}, {"sums", EDGERT_I64, 1, kShape2, 16}};
const edgert_model_t kModel = {EDGERT_ABI_VERSION, 1, 2, 64, 64, "fake",
                               kInputs, kOutputs, entry, 1};
} // namespace fake
