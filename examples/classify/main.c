/* classify: runs the MNIST model edgec compiled into mnist.o on a 28x28
   digit stored as a float32 .npy file and prints the digit. */
#include "mnist.h"
#include "npy_float.h"

#include <stdio.h>

/* The scratch memory the model works in: the application owns it. */
static unsigned char arena[MNIST_ARENA_SIZE]
    __attribute__((aligned(MNIST_ARENA_ALIGNMENT)));

int main(int argc, char **argv) {
  static float image[MNIST_INPUT0_COUNT];
  float scores[MNIST_OUTPUT0_COUNT];
  edgert_status_t status;
  if (argc != 2) {
    fprintf(stderr, "usage: %s digit.npy\n", argv[0]);
    return 2;
  }
  if (npy_read_float(argv[1], image, MNIST_INPUT0_COUNT) != 0)
    return 1;
  status = mnist_run(image, scores, arena);
  if (status != EDGERT_OK) {
    fprintf(stderr, "mnist_run failed: %s\n", edgert_status_message(status));
    return 1;
  }
  printf("digit %lu (score %.3f)\n",
         (unsigned long)argmax_float(scores, MNIST_OUTPUT0_COUNT),
         scores[argmax_float(scores, MNIST_OUTPUT0_COUNT)]);
  return 0;
}
