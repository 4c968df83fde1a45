/* edgert.c - status messages, element types and the run entry point.
 * No allocation and no I/O: this is the part that runs on the device. */
#include "edgert.h"

const char *edgert_status_message(edgert_status_t status) {
  switch (status) {
  case EDGERT_OK:
    return "ok";
  case EDGERT_ERR_NULL_ARGUMENT:
    return "a required pointer argument is NULL";
  case EDGERT_ERR_BAD_MODEL:
    return "the model descriptor is invalid or was built for another runtime "
           "ABI version";
  case EDGERT_ERR_ARENA_ALIGNMENT:
    return "the arena is not aligned to the model's arena_alignment";
  case EDGERT_ERR_INPUT_COUNT:
    return "wrong number of inputs";
  case EDGERT_ERR_INPUT_SHAPE:
    return "an input's shape does not match the model";
  case EDGERT_ERR_INPUT_TYPE:
    return "an input's element type does not match the model";
  case EDGERT_ERR_IO:
    return "a file could not be read or written";
  case EDGERT_ERR_FORMAT:
    return "a file is not a valid tensor file";
  case EDGERT_ERR_OUT_OF_MEMORY:
    return "out of memory";
  case EDGERT_ERR_UNSUPPORTED:
    return "unsupported feature or element type";
  case EDGERT_ERR_ARENA_SIZE:
    return "the arena is smaller than the model's arena_size";
  }
  return "unknown status";
}

size_t edgert_dtype_size(int32_t dtype) {
  switch (dtype) {
  case EDGERT_U8:
  case EDGERT_I8:
  case EDGERT_BOOL:
  case EDGERT_F8E4M3FN:
  case EDGERT_F8E4M3FNUZ:
  case EDGERT_F8E5M2:
  case EDGERT_F8E5M2FNUZ:
  case EDGERT_U4:
  case EDGERT_I4:
  case EDGERT_F4E2M1:
  case EDGERT_F8E8M0:
  case EDGERT_U2:
  case EDGERT_I2:
    return 1; /* sub-byte types: one value per byte (edgert.h) */
  case EDGERT_U16:
  case EDGERT_I16:
  case EDGERT_F16:
  case EDGERT_BF16:
    return 2;
  case EDGERT_F32:
  case EDGERT_I32:
  case EDGERT_U32:
    return 4;
  case EDGERT_I64:
  case EDGERT_F64:
  case EDGERT_U64:
    return 8;
  default:
    return 0;
  }
}

const char *edgert_dtype_name(int32_t dtype) {
  switch (dtype) {
  case EDGERT_F32: return "float32";
  case EDGERT_U8: return "uint8";
  case EDGERT_I8: return "int8";
  case EDGERT_U16: return "uint16";
  case EDGERT_I16: return "int16";
  case EDGERT_I32: return "int32";
  case EDGERT_I64: return "int64";
  case EDGERT_BOOL: return "bool";
  case EDGERT_F16: return "float16";
  case EDGERT_F64: return "float64";
  case EDGERT_U32: return "uint32";
  case EDGERT_U64: return "uint64";
  case EDGERT_BF16: return "bfloat16";
  case EDGERT_F8E4M3FN: return "float8e4m3fn";
  case EDGERT_F8E4M3FNUZ: return "float8e4m3fnuz";
  case EDGERT_F8E5M2: return "float8e5m2";
  case EDGERT_F8E5M2FNUZ: return "float8e5m2fnuz";
  case EDGERT_U4: return "uint4";
  case EDGERT_I4: return "int4";
  case EDGERT_F4E2M1: return "float4e2m1";
  case EDGERT_F8E8M0: return "float8e8m0";
  case EDGERT_U2: return "uint2";
  case EDGERT_I2: return "int2";
  default: return "unknown";
  }
}

/* The status of the run in progress (one run at a time per process: the
 * generated code's devices are serialized anyway). */
static edgert_status_t g_run_status = EDGERT_OK;

edgert_status_t edgert_run(const edgert_model_t *model,
                           const void *const *inputs, void *const *outputs,
                           void *arena) {
  return edgert_run_sized(model, inputs, outputs, arena, UINT64_MAX);
}

edgert_status_t edgert_run_sized(const edgert_model_t *model,
                                 const void *const *inputs,
                                 void *const *outputs, void *arena,
                                 uint64_t arena_bytes) {
  int32_t i;
  if (model == NULL)
    return EDGERT_ERR_NULL_ARGUMENT;
  if (model->abi_version != EDGERT_ABI_VERSION || model->num_inputs < 0 ||
      model->num_outputs < 0)
    return EDGERT_ERR_BAD_MODEL;
  if (model->entry == NULL)
    return EDGERT_ERR_NULL_ARGUMENT;
  if ((model->num_inputs > 0 && inputs == NULL) ||
      (model->num_outputs > 0 && outputs == NULL))
    return EDGERT_ERR_NULL_ARGUMENT;
  for (i = 0; i < model->num_inputs; ++i)
    if (inputs[i] == NULL)
      return EDGERT_ERR_NULL_ARGUMENT;
  for (i = 0; i < model->num_outputs; ++i)
    if (outputs[i] == NULL)
      return EDGERT_ERR_NULL_ARGUMENT;
  if (model->arena_size > 0) {
    if (arena == NULL)
      return EDGERT_ERR_NULL_ARGUMENT;
    if (model->arena_alignment > 1 &&
        ((uintptr_t)arena % model->arena_alignment) != 0)
      return EDGERT_ERR_ARENA_ALIGNMENT;
    if (arena_bytes < model->arena_size)
      return EDGERT_ERR_ARENA_SIZE;
  }
  /* The entry point takes non-const input pointers for ABI simplicity; the
   * generated code only reads them. A device it hands work to (the NPU)
   * reports a failure through edgert_fail_run. */
  g_run_status = EDGERT_OK;
  model->entry((void *const *)inputs, outputs, arena);
  return g_run_status;
}

void edgert_fail_run(edgert_status_t status) {
  if (g_run_status == EDGERT_OK)
    g_run_status = status;
}

int edgert_run_failed(void) { return g_run_status != EDGERT_OK; }

/* ---- threads ------------------------------------------------------------ */

static edgert_parallel_for_fn_t g_parallel_for;
static void *g_parallel_user;

void edgert_set_parallel_for(edgert_parallel_for_fn_t fn, void *user) {
  g_parallel_for = fn;
  g_parallel_user = user;
}

void edgert_parallel_for(int64_t count, edgert_task_fn_t task, void *context) {
  if (count <= 0 || task == NULL)
    return;
  if (count == 1 || g_parallel_for == NULL)
    task(context, 0, count);
  else
    g_parallel_for(g_parallel_user, count, task, context);
}

/* ---- kernel marks --------------------------------------------------------- */

static edgert_kernel_hook_fn_t g_kernel_hook;
static void *g_kernel_user;

void edgert_set_kernel_hook(edgert_kernel_hook_fn_t hook, void *user) {
  g_kernel_hook = hook;
  g_kernel_user = user;
}

void edgert_kernel_mark(int32_t kernel) {
  if (g_kernel_hook != NULL)
    g_kernel_hook(g_kernel_user, kernel);
}
