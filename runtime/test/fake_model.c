/* fake_model.c - a hand-written stand-in for an edgec model object, to test
 * the runtime kits without the compiler: y = x + w for x, y float32[4], with
 * w = {1, 1, 1, 1} in the weights section and a staging copy of y in the
 * arena section, the two sections edgec places constants and scratch in on
 * bare metal (the boards' link.ld). The runner's arena (64 bytes, aligned to
 * 64) is used as scratch too; a misaligned one gives NaN outputs. On a
 * core with MVE (Cortex-M55) the add is an MVE vector instruction. */
#include "edgert.h"

#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
#include <arm_mve.h>
#endif

static const int64_t kShape4[1] = {4};

__attribute__((section(".edgec.weights"), aligned(64)))
const float edgert_fake_weights[4] = {1.0f, 1.0f, 1.0f, 1.0f};

__attribute__((section(".edgec.arena"), aligned(64)))
float edgert_fake_staging[4];

static void fake_entry(void *const *inputs, void *const *outputs,
                       void *arena) {
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  float *scratch = (float *)arena;
  int i;
  if (arena == NULL || (uintptr_t)arena % 64 != 0) {
    for (i = 0; i < 4; ++i)
      y[i] = 0.0f / 0.0f;
    return;
  }
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
  /* Cortex-M55: one MVE floating-point add, which faults unless the reset
   * handler enabled MVE. */
  vst1q_f32(scratch,
            vaddq_f32(vld1q_f32(x), vld1q_f32(edgert_fake_weights)));
#else
  for (i = 0; i < 4; ++i)
    scratch[i] = x[i] + edgert_fake_weights[i];
#endif
  for (i = 0; i < 4; ++i)
    edgert_fake_staging[i] = scratch[i];
  for (i = 0; i < 4; ++i)
    y[i] = edgert_fake_staging[i];
}

static const edgert_tensor_desc_t kInputs[1] = {
    {"x", EDGERT_F32, 1, kShape4, 16}};
static const edgert_tensor_desc_t kOutputs[1] = {
    {"y", EDGERT_F32, 1, kShape4, 16}};

const edgert_model_t edgert_entry_model = {
    EDGERT_ABI_VERSION, 1, 1, 64, 64, "fake", kInputs, kOutputs, fake_entry, 1};
