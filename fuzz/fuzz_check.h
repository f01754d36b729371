// FUZZ_CHECK(cond, what): a property that must hold for every input; aborts (so that libFuzzer
// records the input as a crash) with a message when it does not.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                    \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__,     \
                   __LINE__, #cond, what);                                        \
      std::abort();                                                               \
    }                                                                             \
  } while (0)
