/* edgert.h - the edgec runtime: model descriptors and the run entry point.
 *
 * C99, no dynamic allocation, no I/O. A compiled model is a constant
 * edgert_model_t (emitted by edgec, declared in the model's generated header)
 * plus its code. The caller owns every buffer: inputs, outputs and the
 * scratch arena. The layout of edgert_tensor_desc_t and edgert_model_t is
 * the ABI shared with the compiler (EDGERT_ABI_VERSION); do not reorder.
 */
#ifndef EDGERT_H
#define EDGERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERT_ABI_VERSION 2u
#define EDGERT_ARENA_ALIGNMENT 64u

typedef enum edgert_status {
  EDGERT_OK = 0,
  EDGERT_ERR_NULL_ARGUMENT,   /* a required pointer is NULL */
  EDGERT_ERR_BAD_MODEL,       /* descriptor of another ABI version, or invalid */
  EDGERT_ERR_ARENA_ALIGNMENT, /* arena not aligned to arena_alignment */
  EDGERT_ERR_INPUT_COUNT,     /* wrong number of inputs */
  EDGERT_ERR_INPUT_SHAPE,     /* an input's shape differs from the model's */
  EDGERT_ERR_INPUT_TYPE,      /* an input's element type differs */
  EDGERT_ERR_IO,              /* a file could not be read or written */
  EDGERT_ERR_FORMAT,          /* a file is not a valid .npy / TensorProto */
  EDGERT_ERR_OUT_OF_MEMORY,   /* a host-side allocation failed (runner only) */
  EDGERT_ERR_UNSUPPORTED,     /* a valid but unsupported feature or type */
  EDGERT_ERR_ARENA_SIZE       /* arena smaller than arena_size (edgert_run_sized) */
} edgert_status_t;

/* A human-readable message for `status`. Returns a static string, never NULL
 * ("unknown status" for a value outside edgert_status_t); the caller must
 * not free it. */
const char *edgert_status_message(edgert_status_t status);

/* Element types: the values of ONNX TensorProto.DataType. Every element
 * takes at least a byte in a buffer: the float8 types, FLOAT4E2M1 and
 * FLOAT8E8M0 are their bit pattern in a uint8_t (FLOAT4E2M1 in the low four
 * bits, the high ones zero); INT4 and INT2 are one value per int8_t,
 * sign-extended; UINT4 and UINT2 one value per uint8_t, zero-extended
 * (ONNX packs these two or four to a byte; edgec does not). */
typedef enum edgert_dtype {
  EDGERT_F32 = 1,
  EDGERT_U8 = 2,
  EDGERT_I8 = 3,
  EDGERT_U16 = 4,
  EDGERT_I16 = 5,
  EDGERT_I32 = 6,
  EDGERT_I64 = 7,
  EDGERT_BOOL = 9,
  EDGERT_F16 = 10,
  EDGERT_F64 = 11,
  EDGERT_U32 = 12,
  EDGERT_U64 = 13,
  EDGERT_BF16 = 16,
  EDGERT_F8E4M3FN = 17,
  EDGERT_F8E4M3FNUZ = 18,
  EDGERT_F8E5M2 = 19,
  EDGERT_F8E5M2FNUZ = 20,
  EDGERT_U4 = 21,
  EDGERT_I4 = 22,
  EDGERT_F4E2M1 = 23,
  EDGERT_F8E8M0 = 24,
  EDGERT_U2 = 25,
  EDGERT_I2 = 26
} edgert_dtype_t;

/* Bytes per element of `dtype` (an edgert_dtype_t value); 0 if unknown. */
size_t edgert_dtype_size(int32_t dtype);

/* The numpy-style name of `dtype`: "float32", "int64", "bool", ...;
 * "unknown" for an unknown type. Returns a static string, never NULL. */
const char *edgert_dtype_name(int32_t dtype);

typedef struct edgert_tensor_desc {
  const char *name;     /* ONNX graph input/output name */
  int32_t dtype;        /* edgert_dtype_t */
  int32_t rank;
  const int64_t *shape; /* rank entries (may be NULL when rank == 0) */
  uint64_t size_bytes;  /* product(shape) * edgert_dtype_size(dtype) */
} edgert_tensor_desc_t;

/* The compiled model's code: reads inputs[i], writes outputs[i] and uses
 * `arena` as scratch. */
typedef void (*edgert_entry_fn_t)(void *const *inputs, void *const *outputs,
                                  void *arena);

typedef struct edgert_model {
  uint32_t abi_version;     /* EDGERT_ABI_VERSION */
  int32_t num_inputs;
  int32_t num_outputs;
  uint32_t arena_alignment; /* bytes; the arena must be aligned to this */
  uint64_t arena_size;      /* bytes of scratch the caller provides (may be 0) */
  const char *name;         /* the model's C prefix */
  const edgert_tensor_desc_t *inputs;  /* num_inputs entries */
  const edgert_tensor_desc_t *outputs; /* num_outputs entries */
  edgert_entry_fn_t entry;
  uint32_t threads;         /* workers the kernels were split for (edgec
                               --threads); above 1 the code calls
                               edgert_parallel_for() */
} edgert_model_t;

/* Runs `model` once.
 * Ownership: everything is borrowed from the caller for the duration of the
 * call; nothing is retained or allocated.
 *   model:   the (usually constant) descriptor emitted by edgec.
 *   inputs:  num_inputs pointers to buffers of inputs[i].size_bytes, only
 *            read.
 *   outputs: num_outputs pointers to buffers of outputs[i].size_bytes,
 *            written.
 *   arena:   scratch of arena_size bytes aligned to arena_alignment (may be
 *            NULL when arena_size is 0); its contents need not survive
 *            between runs. One arena serves one run at a time.
 * Returns EDGERT_ERR_NULL_ARGUMENT (NULL model, model->entry, inputs,
 * outputs, any inputs[i]/outputs[i], or a NULL arena when arena_size > 0),
 * EDGERT_ERR_BAD_MODEL (ABI mismatch or negative counts),
 * EDGERT_ERR_ARENA_ALIGNMENT, or, after running the model, EDGERT_OK or the
 * first failure a device reported (edgert_fail_run). */
edgert_status_t edgert_run(const edgert_model_t *model,
                           const void *const *inputs, void *const *outputs,
                           void *arena);

/* edgert_run, for a caller that knows its arena's size: also returns
 * EDGERT_ERR_ARENA_SIZE, running nothing, when arena_bytes is below the
 * model's arena_size (an arena from a build for another model or flags).
 * edgert_run skips that check. */
edgert_status_t edgert_run_sized(const edgert_model_t *model,
                                 const void *const *inputs,
                                 void *const *outputs, void *arena,
                                 uint64_t arena_bytes);

/* ---- devices ------------------------------------------------------------
 * Generated code that hands a layer to a device (the NPU: edgert_npu.h)
 * reports the device's failure here; the rest of that run is skipped by
 * the device calls and edgert_run returns the first status reported. */
void edgert_fail_run(edgert_status_t status);

/* Nonzero once edgert_fail_run was called during the run in progress. */
int edgert_run_failed(void);

/* ---- threads ------------------------------------------------------------
 * Code compiled with `edgec --threads=N` (N > 1) runs each large kernel as
 * a loop of `count` independent iterations handed to edgert_parallel_for().
 * By default that runs them all on the calling thread. An application that
 * has workers installs a parallel_for once, before running models: its own
 * pool, or the pthread pool of edgert_threads.h (Linux and other POSIX
 * systems). */

/* Runs iterations [begin, end) of a kernel's loop; `context` is the
 * kernel's, passed through untouched. */
typedef void (*edgert_task_fn_t)(void *context, int64_t begin, int64_t end);

/* Must run task(context, begin, end) over disjoint ranges that together
 * cover [0, count) (count >= 2), on any threads, and return only when all
 * have finished. It must not allocate if the run path is to stay
 * allocation-free. `user` is the pointer given to edgert_set_parallel_for. */
typedef void (*edgert_parallel_for_fn_t)(void *user, int64_t count,
                                         edgert_task_fn_t task,
                                         void *context);

/* Installs `fn` (NULL: serial, the default) for every model of the process.
 * Not thread-safe: call it before runs start, not during one. */
void edgert_set_parallel_for(edgert_parallel_for_fn_t fn, void *user);

/* Called by generated code: task(context, 0, count) on the calling thread,
 * or split by the installed parallel_for. */
void edgert_parallel_for(int64_t count, edgert_task_fn_t task, void *context);

/* ---- kernel marks (profiling) --------------------------------------------
 * Code compiled with `edgec --instrument-kernels` calls edgert_kernel_mark(k)
 * before its kernel k (k = 0, 1, ...: the kernels edgec's report numbers
 * k0, k1, ...) and edgert_kernel_mark(-1) when a run ends. By default the
 * marks do nothing; a profiler installs a hook that sees each one (the
 * runner's --profile times the kernels with it). Code compiled without the
 * flag never calls it. */
typedef void (*edgert_kernel_hook_fn_t)(void *user, int32_t kernel);

/* Installs `hook` (NULL: none, the default) for every model of the process.
 * Not thread-safe: call it before runs start, not during one. */
void edgert_set_kernel_hook(edgert_kernel_hook_fn_t hook, void *user);

/* Called by instrumented code: forwards `kernel` to the installed hook. */
void edgert_kernel_mark(int32_t kernel);

#ifdef __cplusplus
}
#endif

#endif /* EDGERT_H */
