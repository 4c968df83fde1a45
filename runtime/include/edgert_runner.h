/* edgert_runner.h - the host-side runner behind `edgec --emit=exe` and
 * edgec-run: tensor files in, outputs and timings out.
 *
 * Unlike the core runtime (edgert.h) this library allocates and does I/O; it
 * is a host tool and never part of the device run path. C99, plus a small
 * platform layer: POSIX on Linux, newlib + Arm semihosting on Cortex-M (files
 * and the command line come from the debugger or qemu; see runtime/README.md).
 */
#ifndef EDGERT_RUNNER_H
#define EDGERT_RUNNER_H

#include "edgert.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Highest tensor rank the file readers accept. */
#define EDGERT_RUNNER_MAX_RANK 32

/* A one-line, NUL-terminated error message filled in by a failing call. */
typedef struct edgert_error {
  char message[512];
} edgert_error_t;

/* A tensor read from a file. `data` (size_bytes bytes, 64-byte aligned) is
 * owned by the tensor: release it with edgert_host_tensor_free(). */
typedef struct edgert_host_tensor {
  int32_t dtype; /* edgert_dtype_t */
  int32_t rank;
  int64_t shape[EDGERT_RUNNER_MAX_RANK];
  uint64_t size_bytes;
  void *data;
} edgert_host_tensor_t;

/* Frees the data of a tensor filled by one of the readers and resets it to
 * an empty tensor. Accepts NULL and already-freed / zeroed tensors. */
void edgert_host_tensor_free(edgert_host_tensor_t *tensor);

/* Parses an in-memory .npy image (versions 1.0, 2.0 and 3.0; little-endian
 * or byte-sized types, C order).
 * Ownership: `bytes` (size bytes) is borrowed; on success out_tensor->data is
 * a new allocation owned by the caller (edgert_host_tensor_free). On failure
 * returns EDGERT_ERR_FORMAT / _UNSUPPORTED / _OUT_OF_MEMORY, leaves
 * *out_tensor empty and writes the reason into *out_error (may be NULL). */
edgert_status_t edgert_npy_parse(const void *bytes, size_t size,
                                 edgert_host_tensor_t *out_tensor,
                                 edgert_error_t *out_error);

/* Writes `data` (desc->size_bytes bytes) as a version 1.0, little-endian,
 * C-order .npy file with desc's element type and shape (bfloat16 is written
 * as its raw bits, '<u2').
 * Ownership: all arguments are borrowed. On failure returns EDGERT_ERR_IO
 * ("cannot write 'PATH': REASON") or EDGERT_ERR_UNSUPPORTED and writes the
 * message into *out_error (may be NULL). */
edgert_status_t edgert_npy_write(const char *path,
                                 const edgert_tensor_desc_t *desc,
                                 const void *data, edgert_error_t *out_error);

/* Parses an in-memory ONNX TensorProto (protobuf wire format): dims,
 * data_type and raw_data or the typed *_data fields. External data, strings
 * and complex types are rejected.
 * Ownership: as edgert_npy_parse. */
edgert_status_t edgert_tensor_pb_parse(const void *bytes, size_t size,
                                       edgert_host_tensor_t *out_tensor,
                                       edgert_error_t *out_error);

/* Reads a tensor file: .npy when it starts with the "\x93NUMPY" magic, an
 * ONNX TensorProto otherwise.
 * Ownership: `path` is borrowed; on success out_tensor->data is owned by the
 * caller. On failure returns EDGERT_ERR_IO ("cannot open 'PATH': REASON") or
 * EDGERT_ERR_FORMAT ("'PATH': not a valid .npy file: WHY", "'PATH': not a
 * valid TensorProto file: WHY"), ... with the message in *out_error. */
edgert_status_t edgert_tensor_read_file(const char *path,
                                        edgert_host_tensor_t *out_tensor,
                                        edgert_error_t *out_error);

/* The runner's command line: --input=FILE (repeatable, graph input order),
 * --output-dir=DIR, --benchmark=N, --help. argv[0] is the program name.
 * Ownership: `model` and `argv` are borrowed; all buffers are allocated and
 * freed inside the call. Returns the process exit code: 0, or 1 after one
 * "error: ..." line on stderr. */
int edgert_runner_main(const edgert_model_t *model, int argc, char **argv);

/* What a device the model hands work to (the NPU's simulator) adds to the
 * runner: each may be NULL. */
typedef struct edgert_runner_hooks {
  void (*before_run)(void);  /* before every edgert_run */
  void (*after_bench)(void); /* after the benchmark line: the last run's
                                device figures, printed to stdout */
  void (*after_error)(void); /* after a failed run: the device's report,
                                printed to stderr */
} edgert_runner_hooks_t;

/* edgert_runner_main with `hooks` (borrowed for the call). */
int edgert_runner_main_hooks(const edgert_model_t *model, int argc, char **argv,
                             const edgert_runner_hooks_t *hooks);

#ifdef __cplusplus
}
#endif

#endif /* EDGERT_RUNNER_H */
