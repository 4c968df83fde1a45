// A hand-written model descriptor, so the runtime and the runner are tested
// without the compiler:
//   input 0  'x'    float32 [2, 3]
//   output 0 'y'    float32 [2, 3]   y = x + 1 (computed through the arena)
//   output 1 'sums' int64   [2]      sums[r] = (int64) sum of row r of y
// arena_size 64, arena_alignment 64.
#ifndef EDGEC_TEST_RUNTIME_FAKEMODEL_H
#define EDGEC_TEST_RUNTIME_FAKEMODEL_H

#include "edgert.h"

namespace fake {
extern const edgert_model_t kModel;
extern const edgert_tensor_desc_t kInputs[1];
extern const edgert_tensor_desc_t kOutputs[2];
// Number of times the entry point ran, and whether it ever saw a misaligned
// or NULL arena.
extern int runs;
extern bool sawBadArena;
} // namespace fake

#endif
