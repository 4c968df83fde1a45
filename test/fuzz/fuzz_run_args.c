/* fuzz_run_args.c - libFuzzer target: edgert_run_sized's argument checks.
 *
 * The input bytes choose a descriptor (ABI version, input and output counts,
 * arena size and alignment, a NULL entry), which pointers are NULL, how far
 * the arena is from an aligned address and the size the caller claims. The
 * status must be the one edgert.h specifies, computed independently here,
 * and the model's code must run exactly when the status is EDGERT_OK; the
 * stand-in entry point then touches every input, output and arena byte the
 * descriptor promises, so AddressSanitizer sees a run the checks let through
 * with a buffer too small. */
#define _POSIX_C_SOURCE 200112L /* posix_memalign */
#include "edgert.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TENSORS 4
#define TENSOR_BYTES 16
#define MAX_ARENA 256

static int g_ran;
static uint64_t g_arena_size;
static int32_t g_inputs, g_outputs;

static void entry(void *const *inputs, void *const *outputs, void *arena) {
  int32_t i;
  g_ran = 1;
  for (i = 0; i < g_inputs; ++i)
    ((volatile unsigned char *)inputs[i])[TENSOR_BYTES - 1];
  for (i = 0; i < g_outputs; ++i)
    memset(outputs[i], 0, TENSOR_BYTES);
  if (g_arena_size > 0)
    memset(arena, 0, (size_t)g_arena_size);
}

static void fail(const char *why, int expected, int got) {
  fprintf(stderr, "fuzz_run_args: %s (expected status %d, got %d)\n", why,
          expected, got);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t b[12];
  edgert_model_t m;
  void *in_bufs[MAX_TENSORS], *out_bufs[MAX_TENSORS];
  const void *in_ptrs[MAX_TENSORS];
  void *out_ptrs[MAX_TENSORS];
  unsigned char *arena_block, *arena;
  uint64_t claimed;
  int32_t i, n_in, n_out;
  int null_inputs, null_outputs, null_arena, null_entry;
  edgert_status_t st, want;

  memset(b, 0, sizeof b);
  memcpy(b, data, size < sizeof b ? size : sizeof b);
  memset(&m, 0, sizeof m);
  m.abi_version = (b[0] & 7) == 7 ? b[1] : EDGERT_ABI_VERSION;
  n_in = (int32_t)(b[2] % 7) - 2; /* -2 .. 4 */
  n_out = (int32_t)(b[3] % 7) - 2;
  m.num_inputs = n_in;
  m.num_outputs = n_out;
  m.arena_alignment = 1u << (b[4] % 8); /* 1 .. 128 */
  m.arena_size = b[5] % 4 == 0 ? 0 : (uint64_t)(b[6] % MAX_ARENA) + 1;
  null_entry = (b[7] & 15) == 0;
  m.entry = null_entry ? NULL : entry;
  m.name = "fuzz";
  null_inputs = (b[7] & 0x30) == 0x30;
  null_outputs = (b[7] & 0xc0) == 0xc0;
  null_arena = (b[8] & 7) == 0;
  claimed = b[9] & 1 ? UINT64_MAX : (uint64_t)b[10] * 2;

  g_ran = 0;
  g_arena_size = m.arena_size;
  g_inputs = n_in;
  g_outputs = n_out;
  for (i = 0; i < MAX_TENSORS; ++i) {
    in_bufs[i] = malloc(TENSOR_BYTES);
    out_bufs[i] = malloc(TENSOR_BYTES);
    memset(in_bufs[i], 1, TENSOR_BYTES);
    /* bit i of b[11]: input i is NULL; of b[11] >> 4: output i */
    in_ptrs[i] = (b[11] >> i) & 1 ? NULL : in_bufs[i];
    out_ptrs[i] = (b[11] >> (4 + i)) & 1 ? NULL : out_bufs[i];
  }
  /* An arena of exactly arena_size bytes (ASan reports any byte beyond),
   * at an offset from 128-byte alignment chosen by the input. */
  {
    size_t offset = (size_t)(b[8] >> 3) % 128;
    void *block = NULL;
    if (posix_memalign(&block, 128, offset + (size_t)m.arena_size) != 0)
      return 0;
    arena_block = block;
    arena = arena_block + offset;
  }

  /* What edgert.h specifies, in its order. */
  if (m.abi_version != EDGERT_ABI_VERSION || n_in < 0 || n_out < 0)
    want = EDGERT_ERR_BAD_MODEL;
  else if (null_entry || (n_in > 0 && null_inputs) ||
           (n_out > 0 && null_outputs))
    want = EDGERT_ERR_NULL_ARGUMENT;
  else {
    want = EDGERT_OK;
    for (i = 0; i < n_in; ++i)
      if (in_ptrs[i] == NULL)
        want = EDGERT_ERR_NULL_ARGUMENT;
    for (i = 0; i < n_out; ++i)
      if (out_ptrs[i] == NULL)
        want = EDGERT_ERR_NULL_ARGUMENT;
    if (want == EDGERT_OK && m.arena_size > 0) {
      if (null_arena)
        want = EDGERT_ERR_NULL_ARGUMENT;
      else if ((uintptr_t)arena % m.arena_alignment != 0)
        want = EDGERT_ERR_ARENA_ALIGNMENT;
      else if (claimed < m.arena_size)
        want = EDGERT_ERR_ARENA_SIZE;
    }
  }

  st = edgert_run_sized(&m, null_inputs ? NULL : in_ptrs,
                        null_outputs ? NULL : out_ptrs,
                        null_arena ? NULL : arena, claimed);
  if (st != want)
    fail("wrong status", (int)want, (int)st);
  if (g_ran != (st == EDGERT_OK))
    fail(g_ran ? "the model ran although the call failed"
               : "the call succeeded without running the model",
         (int)want, (int)st);
  if (edgert_status_message(st) == NULL)
    fail("no message", (int)want, (int)st);

  free(arena_block);
  for (i = 0; i < MAX_TENSORS; ++i) {
    free(in_bufs[i]);
    free(out_bufs[i]);
  }
  return 0;
}
