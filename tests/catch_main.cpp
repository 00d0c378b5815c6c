// The Catch2 v2 main, compiled once (it is the slow translation unit); the test cases live in
// tests/test_*.cpp. CATCH_CONFIG_ENABLE_BENCHMARKING comes from tests/CMakeLists.txt, for
// all the test files alike.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
