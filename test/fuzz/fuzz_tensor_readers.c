/* fuzz_tensor_readers.c - libFuzzer target: the runner's .npy and ONNX
 * TensorProto readers (runtime/runner/npy.c, tensor_pb.c).
 *
 * Built twice (test/fuzz/CMakeLists.txt): EDGEC_FUZZ_NPY selects
 * edgert_npy_parse, otherwise edgert_tensor_pb_parse. Either reader returns
 * EDGERT_OK with a tensor whose data holds exactly the bytes its type and
 * shape say, or an error status with an empty tensor and a message: checked
 * here, and every byte of an accepted tensor is read so that AddressSanitizer
 * sees an allocation shorter than its shape. */
#include "edgert_runner.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *why) {
  fprintf(stderr, "fuzz_tensor_readers: %s\n", why);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  edgert_host_tensor_t t;
  edgert_error_t err;
  edgert_status_t st;
  memset(&t, 0, sizeof t);
  memset(&err, 0, sizeof err);
#ifdef EDGEC_FUZZ_NPY
  st = edgert_npy_parse(data, size, &t, &err);
#else
  st = edgert_tensor_pb_parse(data, size, &t, &err);
#endif
  if (st == EDGERT_OK) {
    uint64_t count = 1, i;
    volatile unsigned char sum = 0;
    size_t elem = edgert_dtype_size(t.dtype);
    if (elem == 0 || t.rank < 0 || t.rank > EDGERT_RUNNER_MAX_RANK)
      fail("accepted a tensor of an unknown type or negative rank");
    for (i = 0; i < (uint64_t)t.rank; ++i) {
      if (t.shape[i] < 0)
        fail("accepted a negative dimension");
      count *= (uint64_t)t.shape[i];
    }
    if (count * elem != t.size_bytes)
      fail("size_bytes disagrees with the shape");
    if (t.size_bytes > 0 && t.data == NULL)
      fail("accepted a tensor without data");
    for (i = 0; i < t.size_bytes; ++i)
      sum ^= ((const unsigned char *)t.data)[i];
    (void)sum;
  } else {
    if (t.data != NULL)
      fail("failed but left data in the tensor");
    if (err.message[0] == '\0')
      fail("failed without a message");
  }
  edgert_host_tensor_free(&t);
  return 0;
}
