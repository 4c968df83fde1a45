/* stray_weights.c - a hand-written model whose code reads one float past
 * its weights: test/e2e/guard-pages.test checks that --guard-pages stops
 * it. y[i] = x[i] * w[i + 1] for i < 4, w holding 4 floats. */
#include "edgert.h"

__attribute__((section(".edgec.weights"))) const volatile float stray_w[4] = {
    1, 2, 3, 4};

static void entry(void *const *inputs, void *const *outputs, void *arena) {
  const float *x = (const float *)inputs[0];
  float *y = (float *)outputs[0];
  int i;
  (void)arena;
  for (i = 0; i < 4; ++i)
    y[i] = x[i] * stray_w[i + 1];
}

static const int64_t shape[] = {4};
static const edgert_tensor_desc_t in[] = {{"x", EDGERT_F32, 1, shape, 16}};
static const edgert_tensor_desc_t out[] = {{"y", EDGERT_F32, 1, shape, 16}};
const edgert_model_t stray_model = {EDGERT_ABI_VERSION, 1, 1, 64, 0, "stray",
                                    in, out, entry, 1};
