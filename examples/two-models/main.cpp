// two-models: a keyword spotter and a digit classifier, each compiled by
// edgec into its own library, in one C++ program. One arena serves both:
// they run one after the other, and each needs its contents only during
// its own run.
#include "digits.h"
#include "kws.h"
#include "npy_float.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

constexpr size_t kArenaSize = std::max<size_t>(KWS_ARENA_SIZE, DIGITS_ARENA_SIZE);
constexpr size_t kArenaAlignment =
    std::max<size_t>(KWS_ARENA_ALIGNMENT, DIGITS_ARENA_ALIGNMENT);
alignas(kArenaAlignment) unsigned char arena[kArenaSize];

bool check(edgert_status_t status, const char *what) {
  if (status == EDGERT_OK)
    return true;
  std::fprintf(stderr, "%s failed: %s\n", what, edgert_status_message(status));
  return false;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s keyword.npy digit.npy\n", argv[0]);
    return 2;
  }
  std::vector<float> features(KWS_INPUT0_COUNT), keywordScores(KWS_OUTPUT0_COUNT);
  std::vector<float> image(DIGITS_INPUT0_COUNT), digitScores(DIGITS_OUTPUT0_COUNT);
  if (npy_read_float(argv[1], features.data(), features.size()) != 0 ||
      npy_read_float(argv[2], image.data(), image.size()) != 0)
    return 1;
  if (!check(kws_run(features.data(), keywordScores.data(), arena), "kws_run") ||
      !check(digits_run(image.data(), digitScores.data(), arena), "digits_run"))
    return 1;
  std::printf("keyword %zu, digit %zu\n",
              argmax_float(keywordScores.data(), keywordScores.size()),
              argmax_float(digitScores.data(), digitScores.size()));
  return 0;
}
