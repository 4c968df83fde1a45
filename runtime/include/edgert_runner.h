/* edgert_runner.h - the host-side runner behind `edgec --emit=exe` and
 * edgec-run: tensor files in, outputs and timings out. Unlike the core
 * runtime it allocates and does I/O; it never runs on the device path. */
#ifndef EDGERT_RUNNER_H
#define EDGERT_RUNNER_H

#include "edgert.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERT_MAX_RANK 16

/* A tensor read from a file. `data` is owned by the tensor: release it with
 * edgert_tensor_free(). */
typedef struct edgert_host_tensor {
  int32_t dtype;
  int32_t rank;
  int64_t shape[EDGERT_MAX_RANK];
  void *data;
  uint64_t size_bytes;
} edgert_host_tensor_t;

/* Reads a .npy file or an ONNX TensorProto (.pb), told apart by the .npy
 * magic. On failure returns EDGERT_ERR_IO or EDGERT_ERR_FORMAT and writes a
 * one-line reason into `error` (error_size bytes, caller-owned). */
edgert_status_t edgert_tensor_read(const char *path, char *error,
                                   size_t error_size,
                                   edgert_host_tensor_t *out_tensor);

/* Parses an in-memory .npy image (copied into out_tensor->data). */
edgert_status_t edgert_npy_parse(const unsigned char *bytes, size_t size,
                                 char *error, size_t error_size,
                                 edgert_host_tensor_t *out_tensor);

/* Parses an in-memory TensorProto (copied into out_tensor->data). */
edgert_status_t edgert_tensor_proto_parse(const unsigned char *bytes,
                                          size_t size, char *error,
                                          size_t error_size,
                                          edgert_host_tensor_t *out_tensor);

/* Writes `data` (desc->size_bytes bytes, caller-owned) as a version 1.0 .npy
 * file with desc's element type and shape. */
edgert_status_t edgert_npy_write(const char *path,
                                 const edgert_tensor_desc_t *desc,
                                 const void *data, char *error,
                                 size_t error_size);

/* Frees the data of a tensor filled by one of the readers. */
void edgert_tensor_free(edgert_host_tensor_t *tensor);

/* The runner's command line (--input=FILE..., --output-dir=DIR,
 * --benchmark=N, --help). Returns the process exit code: 0, or 1 after one
 * `error: ...` line on stderr. */
int edgert_runner_main(const edgert_model_t *model, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* EDGERT_RUNNER_H */
