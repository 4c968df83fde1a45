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

#define CHAINS 12 /* the chains below, written out */

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
    vf c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3], c4 = acc[4],
       c5 = acc[5], c6 = acc[6], c7 = acc[7], c8 = acc[8], c9 = acc[9],
       c10 = acc[10], c11 = acc[11];
    for (long i = 0; i < iters; ++i) {
      /* Each contracted to one FMA (-ffp-contract=fast). */
      c0 = c0 * a + b; c1 = c1 * a + b; c2 = c2 * a + b; c3 = c3 * a + b;
      c4 = c4 * a + b; c5 = c5 * a + b; c6 = c6 * a + b; c7 = c7 * a + b;
      c8 = c8 * a + b; c9 = c9 * a + b; c10 = c10 * a + b; c11 = c11 * a + b;
    }
    acc[0] = c0; acc[1] = c1; acc[2] = c2; acc[3] = c3; acc[4] = c4;
    acc[5] = c5; acc[6] = c6; acc[7] = c7; acc[8] = c8; acc[9] = c9;
    acc[10] = c10; acc[11] = c11;
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
