/* The core's measured single-thread FMA peak, for the benchmark's "% of
 * peak": independent chains of vector fused multiply-adds (enough of them
 * to cover the FMA latency on two pipes), as wide as the compiler's
 * -march=native vectors. Prints `gflops=<float> lanes=<n>`.
 *
 *   clang -O2 -march=native fma_peak.c -o fma_peak && ./fma_peak
 */
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#elif defined(__AVX__) || defined(__ARM_FEATURE_SVE)
#define LANES 8
#else
#define LANES 4
#endif
typedef float vf __attribute__((vector_size(LANES * 4)));

#define CHAINS 12

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  vf acc[CHAINS], a, b;
  for (int l = 0; l < LANES; ++l) {
    a[l] = 0.999999f;
    b[l] = 1e-7f;
  }
  for (int c = 0; c < CHAINS; ++c)
    acc[c] = a * (float)c;
  const long iters = 20000000;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now();
    for (long i = 0; i < iters; ++i) {
#pragma clang loop unroll(full)
      for (int c = 0; c < CHAINS; ++c)
        acc[c] = acc[c] * a + b; /* contracted to an FMA (-ffp-contract) */
      __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]),
                       "+x"(acc[3]), "+x"(acc[4]), "+x"(acc[5]));
    }
    double t = now() - t0;
    double gflops = (double)iters * CHAINS * LANES * 2 / t / 1e9;
    if (gflops > best)
      best = gflops;
  }
  float sink = 0;
  for (int c = 0; c < CHAINS; ++c)
    for (int l = 0; l < LANES; ++l)
      sink += acc[c][l];
  printf("gflops=%.1f lanes=%d sink=%g\n", best, LANES, (double)sink);
  return 0;
}
