/* edgert.h - the edgec runtime: model descriptors and the run entry point.
 *
 * C99, no dynamic allocation, no I/O. A compiled model is a constant
 * edgert_model_t (declared in the model's generated header) plus code; the
 * caller owns every buffer: inputs, outputs and the scratch arena.
 */
#ifndef EDGERT_H
#define EDGERT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EDGERT_ABI_VERSION 1u
#define EDGERT_ARENA_ALIGNMENT 64u

typedef enum edgert_status {
  EDGERT_OK = 0,
  EDGERT_ERR_NULL_ARGUMENT,   /* a required pointer is NULL */
  EDGERT_ERR_BAD_MODEL,       /* descriptor from another ABI version */
  EDGERT_ERR_ARENA_ALIGNMENT, /* arena not aligned to arena_alignment */
  EDGERT_ERR_INPUT_COUNT,     /* wrong number of inputs */
  EDGERT_ERR_INPUT_SHAPE,     /* an input's shape differs from the model's */
  EDGERT_ERR_INPUT_TYPE,      /* an input's element type differs */
  EDGERT_ERR_IO,              /* a file could not be read or written */
  EDGERT_ERR_FORMAT           /* a file is not a valid .npy / TensorProto */
} edgert_status_t;

/* A static, human-readable message for `status`; never NULL. */
const char *edgert_status_message(edgert_status_t status);

/* Element types: the values of ONNX TensorProto.DataType. */
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
  EDGERT_BF16 = 16
} edgert_dtype_t;

/* Bytes per element of `dtype`; 0 for an unknown type. */
size_t edgert_dtype_size(int32_t dtype);
/* "float32", "int64", ...; "unknown" for an unknown type. Static string. */
const char *edgert_dtype_name(int32_t dtype);

typedef struct edgert_tensor_desc {
  const char *name;     /* ONNX graph input/output name */
  int32_t dtype;        /* edgert_dtype_t */
  int32_t rank;
  const int64_t *shape; /* rank entries (NULL when rank == 0) */
  uint64_t size_bytes;  /* product(shape) * edgert_dtype_size(dtype) */
} edgert_tensor_desc_t;

typedef void (*edgert_entry_fn_t)(void *const *inputs, void *const *outputs,
                                  void *arena);

typedef struct edgert_model {
  uint32_t abi_version;     /* EDGERT_ABI_VERSION */
  int32_t num_inputs;
  int32_t num_outputs;
  uint32_t arena_alignment; /* bytes */
  uint64_t arena_size;      /* bytes of scratch memory for each run */
  const char *name;         /* the model's C prefix */
  const edgert_tensor_desc_t *inputs;
  const edgert_tensor_desc_t *outputs;
  edgert_entry_fn_t entry;
} edgert_model_t;

/* Runs `model` once.
 * inputs[i] / outputs[i]: caller-owned buffers of inputs[i].size_bytes /
 *   outputs[i].size_bytes; inputs are only read.
 * arena: caller-owned scratch of model->arena_size bytes aligned to
 *   model->arena_alignment (may be NULL when arena_size is 0); its contents
 *   need not survive between runs.
 * Checks the descriptor's ABI version, NULL pointers and the arena alignment;
 * never allocates. Not reentrant on the same arena. */
edgert_status_t edgert_run(const edgert_model_t *model,
                           const void *const *inputs, void *const *outputs,
                           void *arena);

#ifdef __cplusplus
}
#endif

#endif /* EDGERT_H */
