/* firmware: classifies a digit on a Cortex-M4F. The image gets the digit
   from the host through Arm semihosting (argv[1], read with fopen), prints
   through it, and returns the digit as its exit code (qemu's). On a board,
   the image would come from a camera driver instead. */
#include "mnist.h"
#include "npy_float.h"

#include <stdio.h>

/* The model's scratch, in SRAM; the weights stay in flash (.edgec.weights). */
static unsigned char arena[MNIST_ARENA_SIZE]
    __attribute__((aligned(MNIST_ARENA_ALIGNMENT)));
static float image[MNIST_INPUT0_COUNT];

int main(int argc, char **argv) {
  float scores[MNIST_OUTPUT0_COUNT];
  edgert_status_t status;
  size_t digit;
  if (argc != 2) {
    fprintf(stderr, "usage: firmware digit.npy (through semihosting)\n");
    return 100;
  }
  if (npy_read_float(argv[1], image, MNIST_INPUT0_COUNT) != 0)
    return 101;
  status = mnist_run(image, scores, arena);
  if (status != EDGERT_OK) {
    fprintf(stderr, "mnist_run failed: %s\n", edgert_status_message(status));
    return 102;
  }
  digit = argmax_float(scores, MNIST_OUTPUT0_COUNT);
  printf("firmware: digit %lu, arena %lu bytes, weights %lu bytes\n",
         (unsigned long)digit, (unsigned long)MNIST_ARENA_SIZE,
         (unsigned long)MNIST_WEIGHTS_SIZE);
  return (int)digit;
}
