/* SanitizerOptions.c - linked into every executable of an EDGEC_SANITIZERS
 * build (CMakeLists.txt): the sanitizers' defaults for edgec, edgec-opt,
 * the unit tests and the fuzzers, whoever runs them.
 *
 * allow_user_poisoning=0: LLVM's inline allocator code (BumpPtrAllocator,
 * compiled into edgec's instrumented files) poisons the unused part of its
 * slabs, and Debian's uninstrumented libMLIR then allocates from the same
 * slabs without unpoisoning them, so every MLIR attribute built from such
 * memory would be reported as a use-after-poison that is not one. Real heap
 * errors (use after free, overflows) are still found. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
  return "allow_user_poisoning=0:detect_leaks=1:abort_on_error=0";
}

const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void) {
  return "print_stacktrace=1:halt_on_error=1";
}
