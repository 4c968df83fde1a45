// A hand-written model descriptor: y = x + 1 over float[2][3], plus an int64
// output counting the elements. Lets the runtime be tested without edgec.
#ifndef EDGEC_TEST_RUNTIME_FAKEMODEL_H
#define EDGEC_TEST_RUNTIME_FAKEMODEL_H

#include "edgert.h"

namespace fake {
inline const int64_t kInShape[] = {2, 3};
inline const int64_t kCountShape[] = {1};
inline int runs = 0;

inline void entry(void *const *inputs, void *const *outputs, void *arena) {
  const float *x = static_cast<const float *>(inputs[0]);
  float *y = static_cast<float *>(outputs[0]);
  float *scratch = static_cast<float *>(arena); // exercises the arena
  for (int i = 0; i < 6; ++i)
    scratch[i] = x[i] + 1.0f;
  for (int i = 0; i < 6; ++i)
    y[i] = scratch[i];
  *static_cast<int64_t *>(outputs[1]) = 6;
  ++runs;
}

inline const edgert_tensor_desc_t kInputs[] = {
    {"x", EDGERT_F32, 2, kInShape, 24}};
inline const edgert_tensor_desc_t kOutputs[] = {
    {"y", EDGERT_F32, 2, kInShape, 24}, {"count", EDGERT_I64, 1, kCountShape, 8}};
inline const edgert_model_t kModel = {
    EDGERT_ABI_VERSION, 1, 2, 64, 64, "fake", kInputs, kOutputs, entry};
} // namespace fake

#endif
