// The smallest real use of hopfield: include the umbrella header, build a memory, check it.
#include <hopfield/hopfield.hpp>
#include <hopfield/version.hpp>

#include <cstdio>
#include <string_view>

int main() {
    hopfield::PatternMemory<float> m(4);
#ifdef HOPFIELD_EXPECTED_VERSION
    // The header and the CMake package must agree on the version (CMake parses the header).
    if (hopfield::version != std::string_view(HOPFIELD_EXPECTED_VERSION)) {
        std::fprintf(stderr, "hopfield::version is %s, expected %s\n", hopfield::version.data(),
                     HOPFIELD_EXPECTED_VERSION);
        return 1;
    }
#endif
    std::printf("hopfield %s: PatternMemory<float> of dim %ld\n", hopfield::version.data(),
                static_cast<long>(m.dim()));
    return m.dim() == 4 ? 0 : 1;
}
